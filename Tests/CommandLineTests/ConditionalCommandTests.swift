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
        // Per-type evaluation at guidance 2, then a sweep over three weights.
        let eval = try CommandRunner.wbdit(["eval", "--run", run, "--steps", "3", "--guidance", "2", "--components", "5"])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        XCTAssertTrue(eval.stdout.contains("Per cell type (chance accuracy 0.273)"), eval.stdout)
        XCTAssertTrue(eval.stdout.contains("microglia"), eval.stdout)
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/report.json"))) as? [String: Any]
        let perLabel = try XCTUnwrap(report?["per_label"] as? [[String: Any]])
        XCTAssertEqual(perLabel.count, 7, "the seven major types are all held out")
        XCTAssertEqual(report?["guidance"] as? Double, 2)
        let sweep = try CommandRunner.wbdit(["eval", "--run", run, "--steps", "3", "--guidance", "0,1,4", "--components", "5"])
        XCTAssertEqual(sweep.status, 0, sweep.stderr)
        XCTAssertTrue(sweep.stdout.contains("guidance W"), sweep.stdout)
        let sweeps = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/sweep.json"))) as? [[String: Any]]
        XCTAssertEqual(sweeps?.compactMap { $0["guidance"] as? Double }, [0, 1, 4])
        for bad in [["--guidance", "x"], ["--guidance", "-1"], ["--guidance", "1,1e300"]] {
            let result = try CommandRunner.wbdit(["eval", "--run", run, "--steps", "2"] + bad)
            XCTAssertEqual(result.status, 2, bad.joined(separator: " "))
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        }
        // 1e300 is finite as a Double and infinite as the sampler's Float.
        for bad in [["--label", "nope"], ["--guidance", "2"], ["--labels-like", "fake"], ["--label", "microglia", "--guidance", "1e300"],
                    ["--label", "microglia", "--labels-like", "real"]] {
            let result = try CommandRunner.wbdit(["sample", "--run", run, "--n", "2", "--out", run + "/x.npy"] + bad)
            XCTAssertEqual(result.status, 2, bad.joined(separator: " "))
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        }
        XCTAssertTrue(try CommandRunner.wbdit(["sample", "--run", run, "--n", "2", "--out", run + "/x.npy", "--label", "microglia",
                                               "--labels-like", "real"]).stderr.contains("not both"))
    }
}

/// `wbdit train --labels A,B`: one embedding per column; sampling any subset of them, with a
/// guidance weight each; evaluation per combination and per column.
final class SeveralLabelsCommandTests: XCTestCase {
    let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../CellDataTests/Fixtures/scanpy-pbmc68k-reduced.h5ad").standardized.path

    func testTrainOnTwoColumnsThenSampleCombinationsAndSubsets() throws {
        let run = NSTemporaryDirectory() + "wbdit-two-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: run) }
        let train = try CommandRunner.wbdit(["train", "--data", fixture, "--source", "raw", "--labels", "bulk_labels,phase", "--steps", "4",
                                             "--hidden", "16", "--depth", "1", "--heads", "2", "--patch", "40", "--batch", "8", "--run", run])
        XCTAssertEqual(train.status, 0, train.stderr)
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/config.json"))) as? [String: Any]
        XCTAssertEqual(config?["labelColumn"] as? String, "bulk_labels,phase")
        XCTAssertEqual((config?["labelNames"] as? [[String]])?.last, ["G1", "G2", "S"])   // the file's categories are cut at 2 characters
        XCTAssertEqual((config?["model"] as? [String: Any])?["classes"] as? [Int], [10, 3])

        let both = try CommandRunner.wbdit(["sample", "--run", run, "--n", "4", "--label", "bulk_labels=Dendritic,phase=S",
                                            "--guidance", "bulk_labels=2", "--steps", "3", "--out", run + "/both.h5ad"])
        XCTAssertEqual(both.status, 0, both.stderr)
        let file = try AnnDataFile(path: run + "/both.h5ad")
        XCTAssertEqual(try file.column("label"), Array(repeating: "bulk_labels=Dendritic,phase=S", count: 4))
        XCTAssertEqual(try file.column("bulk_labels"), Array(repeating: "Dendritic", count: 4))
        XCTAssertEqual(try file.column("phase"), Array(repeating: "S", count: 4))
        let one = try CommandRunner.wbdit(["sample", "--run", run, "--n", "3", "--label", "phase=G1", "--compose", "product",
                                           "--steps", "3", "--out", run + "/phase.h5ad"])
        XCTAssertEqual(one.status, 0, one.stderr)
        XCTAssertEqual(try AnnDataFile(path: run + "/phase.h5ad").column("bulk_labels"), ["", "", ""], "left out")
        let mix = try CommandRunner.wbdit(["sample", "--run", run, "--n", "30", "--labels-like", "real", "--steps", "3",
                                           "--out", run + "/mix.h5ad"])
        XCTAssertEqual(mix.status, 0, mix.stderr)
        XCTAssertTrue(try AnnDataFile(path: run + "/mix.h5ad").column("label").contains("bulk_labels=Dendritic,phase=G1"))

        let eval = try CommandRunner.wbdit(["eval", "--run", run, "--steps", "3", "--components", "5", "--guidance", "phase=3"])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        XCTAssertTrue(eval.stdout.contains("bulk_labels=Dendritic,phase=G1"), eval.stdout)
        XCTAssertTrue(eval.stdout.contains("Per label column"), eval.stdout)
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/report.json"))) as? [String: Any]
        XCTAssertNotNil(report?["attribute_accuracy_phase_floor"])
        XCTAssertNil(report?["guidance"], "per-column weights are not one number")

        for bad in [["--label", "Dendritic"], ["--label", "bulk_labels=Nope"], ["--label", "phase=S", "--guidance", "donor=2"],
                    ["--label", "phase=S", "--guidance", "phase=-1"], ["--label", "phase=S", "--compose", "sum"]] {
            let result = try CommandRunner.wbdit(["sample", "--run", run, "--n", "2", "--out", run + "/x.npy"] + bad)
            XCTAssertEqual(result.status, 2, bad.joined(separator: " ") + ": " + result.stderr)
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        }
        let twice = try CommandRunner.wbdit(["train", "--data", fixture, "--source", "raw", "--labels", "phase,phase", "--steps", "1",
                                             "--run", run + "-twice"])
        XCTAssertEqual(twice.status, 2, twice.stderr)
        XCTAssertTrue(twice.stderr.contains("twice"), twice.stderr)
    }
}
