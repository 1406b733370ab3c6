import Foundation
import TestSupport
import XCTest

/// The fuzzer's hang (Tests/Fuzz/Hangs/h5ad): a string attribute whose global heap is
/// corrupt makes libhdf5 loop for ever. wbdit ends at its deadline with one line and
/// status 2 (`wbdit info` reads the attribute; other commands stop earlier on this file).
final class HDF5DeadlineTests: XCTestCase {
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
        XCTAssertTrue(result.stderr.contains("libhdf5 did not finish reading the strings of layers/counts@encoding-type in 1.5 s"),
                      result.stderr)
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
}
