import CellData
import Foundation
import TestSupport
import XCTest

/// `wbdit train --labels` then `wbdit sample --label / --labels-like real --guidance`.
final class ConditionalCommandTests: XCTestCase {
    let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../CellDataTests/Fixtures/zeisel-slice.h5ad").standardized.path

    func testTrainOnTypesThenSampleATypeOrTheRealMix() throws {
        let run = NSTemporaryDirectory() + "wbdit-cond-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: run) }
        let train = try CommandRunner.wbdit(["train", "--data", fixture, "--labels", "level1", "--steps", "4", "--hidden", "16",
                                             "--depth", "1", "--heads", "2", "--patch", "40", "--batch", "8", "--run", run])
        XCTAssertEqual(train.status, 0, train.stderr)
        let one = try CommandRunner.wbdit(["sample", "--run", run, "--n", "4", "--label", "microglia", "--guidance", "2",
                                           "--steps", "3", "--out", run + "/m.h5ad"])
        XCTAssertEqual(one.status, 0, one.stderr)
        XCTAssertEqual(try AnnDataFile(path: run + "/m.h5ad").column("label"), Array(repeating: "microglia", count: 4))
        let mix = try CommandRunner.wbdit(["sample", "--run", run, "--n", "20", "--labels-like", "real", "--steps", "3",
                                           "--out", run + "/r.h5ad"])
        XCTAssertEqual(mix.status, 0, mix.stderr)
        let labels = try AnnDataFile(path: run + "/r.h5ad").column("label")
        XCTAssertEqual(labels.count, 20)
        XCTAssertEqual(labels.filter { $0 == "pyramidal CA1" }.count, 6, "63 of 201 cells are pyramidal CA1")
        for bad in [["--label", "nope"], ["--guidance", "2"], ["--labels-like", "fake"]] {
            let result = try CommandRunner.wbdit(["sample", "--run", run, "--n", "2", "--out", run + "/x.npy"] + bad)
            XCTAssertEqual(result.status, 2, bad.joined(separator: " "))
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        }
    }
}
