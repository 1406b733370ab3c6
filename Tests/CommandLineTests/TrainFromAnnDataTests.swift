import CellData
import Foundation
import Networks
import TestSupport
import XCTest

/// Training straight from an .h5ad of raw counts: scanpy-style preprocessing, recorded.
final class TrainFromAnnDataTests: XCTestCase {
    func testTrainingOnAnH5adRecordsItsPreprocessing() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../CellDataTests/Fixtures/zeisel-slice.h5ad").standardized.path
        let run = NSTemporaryDirectory() + "wbdit-h5ad-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: run) }
        let result = try CommandRunner.wbdit(["train", "--data", fixture, "--run", run, "--top-genes", "100", "--steps", "3",
                                              "--stratify", "level1", "--holdout", "0.2",
                                              "--patch", "10", "--hidden", "16", "--depth", "1", "--heads", "2", "--batch", "8"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let split = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/split.json"))) as? [String: Any])
        let heldOut = try XCTUnwrap(split["heldOutCells"] as? [Int]), trained = try XCTUnwrap(split["trainCells"] as? [Int])
        XCTAssertEqual(heldOut.count + trained.count, 201)
        XCTAssertEqual(Double(heldOut.count), 0.2 * 201, accuracy: 4, "about a fifth of every cell type")
        XCTAssertEqual(split["stratifiedBy"] as? String, "level1")
        let config = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/config.json"))) as? [String: Any])
        let data = try XCTUnwrap(config["data"] as? [String: Any])
        XCTAssertEqual(data["preprocessing"] as? [String],
                       ["normalize_total(target_sum=1e4)", "log1p", "highly_variable_genes(flavor=seurat, n_top_genes=100)"])
        XCTAssertEqual((data["geneNames"] as? [String])?.count, 100)
        XCTAssertEqual(data["cells"] as? Int, 201)
        XCTAssertEqual((config["model"] as? [String: Any])?["genes"] as? Int, 100)

        let resumed = try CommandRunner.wbdit(["train", "--data", fixture, "--run", run, "--resume", "--steps", "5"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)

        // Generated cells as .h5ad, genes named as the run kept them.
        let out = run + "/samples/generated.h5ad"
        let sampled = try CommandRunner.wbdit(["sample", "--run", run, "--n", "4", "--steps", "5", "--out", out])
        XCTAssertEqual(sampled.status, 0, sampled.stderr)
        let generated = try AnnDataFile(path: out)
        XCTAssertEqual(try generated.names("var"), data["geneNames"] as? [String])
        XCTAssertEqual(try generated.column("source"), ["generated", "generated", "generated", "generated"])
        XCTAssertEqual(try generated.column("model"), ["wbdit", "wbdit", "wbdit", "wbdit"])
        XCTAssertEqual(try generated.column("step"), ["5", "5", "5", "5"])
        XCTAssertEqual(try generated.matrix().values.count, 400)
        let csvPath = run + "/samples/generated.csv"
        XCTAssertEqual(try CommandRunner.wbdit(["sample", "--run", run, "--n", "2", "--steps", "5", "--out", csvPath]).status, 0)
        let csv = try TextMatrix.table(csvPath)
        XCTAssertEqual(csv.geneNames, data["geneNames"] as? [String])
        XCTAssertEqual(csv.cellNames, ["generated-0", "generated-1"])
        let missing = try CommandRunner.wbdit(["train", "--data", fixture, "--run", run + "-2", "--source", "layers/none", "--steps", "1"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("has no layers/none (it has X: pick one with --source)"), missing.stderr)
    }

    /// --streaming reads the file a block at a time; the run records it, resumes streaming,
    /// and evaluates its held-out cells read back the same way.
    func testStreamingTrainingResumesAndEvaluates() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../CellDataTests/Fixtures/zeisel-slice.h5ad").standardized.path
        let run = NSTemporaryDirectory() + "wbdit-stream-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: run) }
        let common = ["--patch", "10", "--hidden", "16", "--depth", "1", "--heads", "2", "--batch", "8", "--top-genes", "100"]
        let result = try CommandRunner.wbdit(["train", "--data", fixture, "--run", run, "--streaming", "--block-cells", "16",
                                              "--stratify", "level1", "--steps", "30"] + common)
        XCTAssertEqual(result.status, 0, result.stderr)
        let config = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/config.json"))) as? [String: Any])
        let streaming = try XCTUnwrap((config["data"] as? [String: Any])?["streaming"] as? [String: Any])
        XCTAssertEqual(streaming["blockCells"] as? Int, 16)
        XCTAssertEqual(streaming["windowBlocks"] as? Int, 4)
        XCTAssertNil((config["data"] as? [String: Any])?["principalBasis"], "streamed cells stay genes under the fast recipe")
        let resumed = try CommandRunner.wbdit(["train", "--data", fixture, "--run", run, "--resume", "--steps", "40"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        // The reader's thread releases its file last, at exit: libhdf5 must stay silent there too.
        for output in [result.stderr, resumed.stderr] { XCTAssertFalse(output.contains("HDF5-DIAG"), output) }
        let eval = try CommandRunner.wbdit(["eval", "--run", run, "--steps", "3", "--components", "5", "--json"])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        XCTAssertTrue(eval.stdout.contains("\"real_cells\":22"), eval.stdout)
        // A streamed run's cells come out as counts, its counts modelled from the cells it keeps.
        XCTAssertTrue(FileManager.default.fileExists(atPath: run + "/count-model.safetensors"))
        XCTAssertTrue(eval.stdout.contains("\"generated_values\":\"counts\""), eval.stdout)
        let sampled = try CommandRunner.wbdit(["sample", "--run", run, "--n", "3", "--steps", "3", "--out", run + "/cells.h5ad"])
        XCTAssertEqual(sampled.status, 0, sampled.stderr)
        XCTAssertTrue(sampled.stdout.contains("counts in X"), sampled.stdout)
        for bad in [["--streaming", "--in-memory"], ["--block-cells", "0"], ["--streaming", "--block-cells", "1"]] {
            let refused = try CommandRunner.wbdit(["train", "--data", fixture, "--run", run + "-bad", "--steps", "1"] + common + bad)
            XCTAssertEqual(refused.status, 2, bad.joined(separator: " ") + ": " + refused.stderr)
            XCTAssertEqual(refused.stderr.split(separator: "\n").count, 1, refused.stderr)
        }
    }

    func testTrainingFromA10xFolderAndResuming() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../CellDataTests/Fixtures/tenx").standardized.path
        let run = NSTemporaryDirectory() + "wbdit-10x-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: run) }
        let small = ["--patch", "2", "--hidden", "8", "--depth", "1", "--heads", "2", "--batch", "2", "--holdout", "0"]
        let first = try CommandRunner.wbdit(["train", "--data", folder, "--run", run, "--steps", "2"] + small)
        XCTAssertEqual(first.status, 0, first.stderr)
        let resumed = try CommandRunner.wbdit(["train", "--data", folder, "--run", run, "--resume", "--steps", "3"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
    }
}
