import CellData
import Foundation
import Networks
import TestSupport
import XCTest

/// `wbdit train` and `wbdit sample` as a user runs them: a run from start to samples,
/// Ctrl-C, SIGKILL in the middle of checkpoint writes, and bad input.
final class TrainCommandTests: XCTestCase {
    var directory: String!
    var data: String { directory + "/cells.npy" }

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "wbdit-train-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let values: [Float] = (0..<(40 * 20)).map { (i: Int) -> Float in Float((i / 20 + i % 20) % 4) }
        try NumpyArray(shape: [40, 20], values: values).write(to: data)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    let small = ["--arch", "wbdit", "--patch", "4", "--hidden", "32", "--depth", "2", "--heads", "4", "--batch", "8"]

    func testTrainThenSampleFromTheRun() throws {
        let run = directory + "/run"
        let trained = try CommandRunner.wbdit(["train", "--data", data, "--run", run, "--steps", "12",
                                               "--checkpoint-every", "5", "--ema", "0.9"] + small)
        XCTAssertEqual(trained.status, 0, trained.stderr)
        XCTAssertTrue(trained.stdout.contains("finished: completed 12 steps"), trained.stdout)
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/config.json"))) as? [String: Any]
        XCTAssertEqual((config?["model"] as? [String: Any])?["genes"] as? Int, 20)
        XCTAssertNotNil((config?["data"] as? [String: Any])?["checksum"])

        for extra in [[], ["--ema"]] {
            let out = directory + "/cells-\(extra.count).npy"
            let sampled = try CommandRunner.wbdit(["sample", "--run", run, "--n", "5", "--steps", "10", "--out", out] + extra)
            XCTAssertEqual(sampled.status, 0, sampled.stderr)
            let cells = try NumpyArray(contentsOf: out)
            XCTAssertEqual(cells.shape, [5, 20])
            XCTAssertTrue(cells.values.allSatisfy { $0 >= 0 && $0.isFinite })
        }
        // The checkpoint is an ordinary one: forward and grad accept it.
        XCTAssertNoThrow(try Checkpoint.load(run + "/checkpoints/step-12.safetensors"))
    }

    func testCtrlCWritesACheckpointAndExits130() throws {
        let run = directory + "/run"
        let process = try launch(["train", "--data", data, "--run", run, "--steps", "100000", "--checkpoint-every", "100000"] + small)
        try waitFor { ((try? String(contentsOfFile: run + "/metrics.jsonl", encoding: .utf8)) ?? "").split(separator: "\n").count >= 3 }
        process.interrupt()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 130)
        let latest = try String(contentsOfFile: run + "/latest", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertNoThrow(try Checkpoint.load(run + "/checkpoints/\(latest).safetensors"))
        // …and the run continues from there.
        let resumed = try CommandRunner.wbdit(["train", "--data", data, "--run", run, "--resume",
                                               "--steps", String(Int(latest.dropFirst(5))! + 2)])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
    }

    /// SIGKILL at arbitrary moments while checkpoints are written every step: the latest
    /// checkpoint is always complete and the run resumes from it.
    func testKilledDuringCheckpointWritesLeavesAReadableLatestCheckpoint() throws {
        let run = directory + "/run"
        var started = false
        for delay in [0.25, 0.4, 0.55] {
            let arguments = started
                ? ["train", "--data", data, "--run", run, "--resume", "--steps", "100000"]
                : ["train", "--data", data, "--run", run, "--steps", "100000", "--checkpoint-every", "1", "--keep", "2"] + small
            let process = try launch(arguments)
            try waitFor { FileManager.default.fileExists(atPath: run + "/latest") }
            Thread.sleep(forTimeInterval: delay)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            started = true
            let latest = try String(contentsOfFile: run + "/latest", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            XCTAssertNoThrow(try Checkpoint.load(run + "/checkpoints/\(latest).safetensors"), "after a kill at \(delay) s")
            XCTAssertNoThrow(try SafeTensorsFile(contentsOf: run + "/checkpoints/\(latest).optim.safetensors"))
        }
    }

    func testBadTrainingInputExitsTwo() throws {
        var values = [Float](repeating: 1, count: 40 * 20)
        values[7] = .infinity
        let bad = directory + "/bad.npy"
        try NumpyArray(shape: [40, 20], values: values).write(to: bad)
        let cases: [([String], String)] = [
            (["train", "--data", bad, "--run", directory + "/r1", "--steps", "2"] + small, "inf at cell 0, gene 7"),
            (["train", "--data", data, "--run", directory + "/r2"] + small, "give --steps or --epochs"),
            (["train", "--data", data, "--run", directory + "/r3", "--steps", "2", "--epochs", "1"] + small, "not both"),
            (["train", "--data", data, "--run", directory + "/none", "--resume"], "not a run directory"),
            (["train", "--data", data, "--run", directory + "/r4", "--steps", "2", "--batch", "41"], "fewer than one batch"),
            (["sample", "--run", directory + "/none", "--n", "2", "--out", directory + "/x.npy"], "not a run directory"),
            (["sample", "--n", "2", "--out", directory + "/x.npy"], "give --checkpoint or --run"),
        ]
        for (arguments, text) in cases {
            let result = try CommandRunner.wbdit(arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(text), "\(arguments): “\(result.stderr)” does not mention “\(text)”")
        }
    }

    // MARK: - Helpers

    struct TimedOut: Error { let seconds: Double }

    private func launch(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = CommandRunner.productsDirectory.appendingPathComponent("wbdit")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    private func waitFor(timeout: Double = 60, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            guard Date() < deadline else { throw TimedOut(seconds: timeout) }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }
}

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
        XCTAssertTrue(missing.stderr.contains("has no layers/none (it has X)"), missing.stderr)
    }
}

/// `wbdit prep` writes what scanpy would hold in X after the same steps.
final class PrepCommandTests: XCTestCase {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../CellDataTests/Fixtures").standardized.path

    func testPrepMatchesScanpyAndKeepsObs() throws {
        let out = NSTemporaryDirectory() + "prep-\(UUID().uuidString).h5ad"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let result = try CommandRunner.wbdit(["prep", fixtures + "/zeisel-slice.h5ad", "--out", out, "--top-genes", "100"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let prepared = try AnnDataFile(path: out)
        let genes = try NumpyArray(contentsOf: fixtures + "/zeisel-slice-hvg100.npy").values.map { Int($0) }
        let scanpy = try NumpyArray(contentsOf: fixtures + "/zeisel-slice-lognorm.npy")
        let expected = (0..<201).flatMap { c in genes.map { scanpy.values[c * 400 + $0] } }
        XCTAssertLessThanOrEqual(relativeDifference(try prepared.matrix().values, expected), 1e-6)
        let source = try AnnDataFile(path: fixtures + "/zeisel-slice.h5ad")
        XCTAssertEqual(try prepared.names("var"), genes.map { try! source.names("var")[$0] })
        XCTAssertEqual(try prepared.column("level1"), try source.column("level1"))
        XCTAssertEqual(try prepared.column("level2_id"), try source.column("level2_id"))
    }

    func testPrepRefusesWhatItCannotDo() throws {
        let out = NSTemporaryDirectory() + "prep-\(UUID().uuidString).h5ad"
        for (arguments, text) in [
            (["--top-genes", "500"], "asks for more genes than the 400 there are"),
            (["--flavor", "cell_ranger"], "cell_ranger"),
            (["--min-genes", "100000"], "no cells or no genes are left"),
            (["--labels", "celltype"], "obs has no column celltype (it has level1"),
        ] {
            let result = try CommandRunner.wbdit(["prep", fixtures + "/zeisel-slice.h5ad", "--out", out] + arguments)
            XCTAssertEqual(result.status, 2, "\(arguments)")
            XCTAssertTrue(result.stderr.contains(text), "\(arguments): \(result.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        }
    }
}

/// Broken .h5ad files (`benchmarks/make_h5ad_fixtures.py`): one line, exit status 2, no
/// HDF5 error stack, nothing written — for `prep`, `train` and `info`.
final class BrokenFileTests: XCTestCase {
    let broken = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../CellDataTests/Fixtures/broken").standardized.path

    func testEveryBrokenFileIsOneLineAndStatusTwo() throws {
        let cases = [
            ("empty.h5ad", "is not an HDF5 file"),
            ("random.h5ad", "is not an HDF5 file"),
            ("truncated.h5ad", "HDF5"),
            ("no-x.h5ad", "has no X"),
            ("nan.h5ad", "holds nan at cell 1, gene 0"),
            ("negative.h5ad", "holds negative values"),
            ("indptr.h5ad", "indptr is not increasing at row 1"),
            ("indices.h5ad", "indices holds 9, outside 0…3"),
            ("missing.h5ad", "no such file"),
        ]
        let out = NSTemporaryDirectory() + "broken-\(UUID().uuidString).h5ad"
        let run = NSTemporaryDirectory() + "broken-run-\(UUID().uuidString)"
        for (name, text) in cases {
            for arguments in [["prep", broken + "/" + name, "--out", out],
                              ["train", "--data", broken + "/" + name, "--run", run, "--steps", "1"]] {
                let result = try CommandRunner.wbdit(arguments)
                XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
                XCTAssertTrue(result.stderr.contains(text), "\(arguments): “\(result.stderr)” does not mention “\(text)”")
                XCTAssertEqual(result.stderr.filter { $0 == "\n" }.count, 1, "\(arguments): \(result.stderr)")
                XCTAssertFalse(result.stderr.contains("HDF5-DIAG"), "an HDF5 error stack was printed")
                XCTAssertFalse(FileManager.default.fileExists(atPath: out))
                XCTAssertFalse(FileManager.default.fileExists(atPath: run))
            }
        }
    }
}
