import Foundation
import TestSupport
import XCTest

/// An `.h5ad` whose write is cut off — by a full disk, Ctrl-C or SIGTERM — leaves no file
/// and no temporary behind, and the command ends with one line and its documented status.
final class CutOffWriteTests: XCTestCase {
    let sampleData = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../sample-data/zeisel2015.h5ad").standardized.path
    let slice = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../CellDataTests/Fixtures/zeisel-slice.h5ad").standardized.path
    var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "wbdit-cutoff-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    private var leftovers: [String] { (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] }

    /// A file-size limit stands in for a full disk at several points of the write (inside
    /// X, and while HDF5 flushes its metadata on close). libhdf5 1.10 used to fault after
    /// the error was printed, on closing the file a second time and in its exit handler.
    func testAFullDiskEndsWithOneLineAndNoFile() throws {
        let binary = CommandRunner.productsDirectory.appendingPathComponent("wbdit").path
        for blocks in [1, 8, 40] {
            let out = directory + "/p.h5ad"
            // Ignore SIGXFSZ so that a write past the limit fails with EFBIG instead of killing the process.
            let result = try CommandRunner.run("/bin/sh", ["-c", "trap '' XFSZ; ulimit -f \(blocks); exec \"$0\" \"$@\"", binary,
                                                          "prep", slice, "--top-genes", "20", "--out", out])
            XCTAssertEqual(result.status, 1, "a failed write, not bad input; limit \(blocks): \(result.stderr)")
            XCTAssertEqual(result.stderr, "wbdit: error: cannot write \(out): File too large\n", "limit \(blocks)")
            XCTAssertEqual(leftovers, [], "limit \(blocks)")
        }
    }

    /// Ctrl-C (prep) and SIGTERM (sample) while the file is being written.
    func testASignalDuringTheWriteLeavesNothing() throws {
        let run = directory + "/run"
        XCTAssertEqual(try CommandRunner.wbdit(["train", "--data", slice, "--run", run, "--steps", "2", "--top-genes", "20",
                                                "--patch", "5", "--hidden", "8", "--depth", "1", "--heads", "2", "--batch", "8"]).status, 0)
        let out = directory + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let cases: [([String], Int32)] = [
            (["prep", sampleData, "--top-genes", "2000", "--out", out + "/p.h5ad"], SIGINT),
            (["sample", "--run", run, "--n", "100000", "--steps", "1", "--out", out + "/s.h5ad"], SIGTERM),
        ]
        for (arguments, signal) in cases {
            // The write may finish between seeing its temporary and the signal: then try again.
            var caught = false
            for _ in 0..<5 where !caught {
                let process = try CommandRunner.launch(arguments)
                try CommandRunner.waitFor(timeout: 300, interval: 0.001) {
                    (try? FileManager.default.contentsOfDirectory(atPath: out))?.contains { $0.contains(".partial-") } == true
                        || !process.isRunning
                }
                kill(process.processIdentifier, signal)
                process.waitUntilExit()
                caught = process.terminationStatus == 128 + signal
                XCTAssertTrue(caught || process.terminationStatus == 0, "\(arguments[0]): status \(process.terminationStatus)")
                try? FileManager.default.removeItem(atPath: arguments.last!)
                XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out), [], "\(arguments[0])")
            }
            XCTAssertTrue(caught, "\(arguments[0]) always finished before the signal")
        }
    }
}
