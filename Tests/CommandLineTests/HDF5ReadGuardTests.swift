import Foundation
import TestSupport
import XCTest

/// Files that make libhdf5 loop (Tests/Fuzz/Hangs/h5ad) or fault (Tests/Fuzz/Faults/h5ad)
/// on a corrupt global heap: wbdit ends with one line and status 2, at the deadline or
/// at the fault.
final class HDF5ReadGuardTests: XCTestCase {
    let hang = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fuzz/Hangs/h5ad/timeout-e70fd02cc9417cfa710588d7f05ebe5dbd720643").standardized.path

    func testAFileThatMakesHDF5LoopIsRefusedAtTheDeadline() throws {
        let file = NSTemporaryDirectory() + "wbdit-hang-\(UUID().uuidString).h5ad"
        try FileManager.default.copyItem(atPath: hang, toPath: file)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let started = Date()
        let result = try CommandRunner.wbdit(["info", file], environment: ["WBDIT_HDF5_DEADLINE": "1.5"])
        XCTAssertEqual(result.status, 2, result.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 20)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        // `info` checks each matrix against obs before reading it: the loop is met in obs's index.
        XCTAssertTrue(result.stderr.contains("libhdf5 did not finish reading the strings of obs@_index in 1.5 s"), result.stderr)
        XCTAssertTrue(result.stdout.isEmpty, result.stdout)
    }

    /// The fuzzer met the same loop again in another file, reading the obs index.
    func testTheSecondHangingFileIsRefusedToo() throws {
        let other = URL(fileURLWithPath: hang).deletingLastPathComponent()
            .appendingPathComponent("timeout-727b8c79b8184f17c9a79357c99559d60d7e0fce").path
        let result = try CommandRunner.wbdit(["info", other], environment: ["WBDIT_HDF5_DEADLINE": "1.5"])
        XCTAssertEqual(result.status, 2, result.stderr)
        XCTAssertTrue(result.stderr.contains("libhdf5 did not finish reading the strings of obs@_index"), result.stderr)
    }

    /// The fuzzer's fault: libhdf5 reads out of bounds in the heap; no crash dump, one line.
    func testAFileThatMakesHDF5FaultIsRefusedWithOneLine() throws {
        let fault = URL(fileURLWithPath: hang).deletingLastPathComponent()
            .appendingPathComponent("../../Faults/h5ad/crash-6f65cde726ab7f1613c2934b9e927cbc0ad777ec").standardized.path
        let result = try CommandRunner.wbdit(["info", fault])
        XCTAssertEqual(result.status, 2, result.stderr)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("libhdf5 faulted reading the strings of X@h5sparse_format; the file is damaged"),
                      result.stderr)
    }
}
