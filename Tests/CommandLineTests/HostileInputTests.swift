import CellData
import Foundation
import TestSupport
import XCTest

/// The crash battery: hostile flags, files and run directories edited by hand, each refused
/// with one line on stderr naming the problem, exit status 2, no trap and no backtrace.
final class HostileInputTests: XCTestCase {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../CellDataTests/Fixtures").standardized.path
    var data: String { fixtures + "/zeisel-slice.h5ad" }
    let small = ["--top-genes", "20", "--holdout", "0.2", "--patch", "5", "--hidden", "8", "--depth", "1", "--heads", "2",
                 "--batch", "8", "--threads", "1"]
    var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "wbdit-hostile-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    /// Runs each case and checks the refusal: status 2, one `wbdit: error:` line that
    /// mentions `text`, nothing else on stderr.
    func assertRefused(_ cases: [([String], String)], file: StaticString = #filePath, line: UInt = #line) throws {
        for (arguments, text) in cases {
            let result = try CommandRunner.wbdit(arguments)
            let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: true)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)", file: file, line: line)
            XCTAssertEqual(lines.count, 1, "\(arguments): \(result.stderr)", file: file, line: line)
            XCTAssertTrue(result.stderr.hasPrefix("wbdit: error: "), "\(arguments): \(result.stderr)", file: file, line: line)
            XCTAssertTrue(result.stderr.contains(text), "\(arguments): “\(result.stderr)” does not mention “\(text)”", file: file, line: line)
        }
    }

    func testHostileFlagsAreRefusedBeforeAnythingIsAllocated() throws {
        let run = directory + "/never"
        let train = ["train", "--data", data, "--run", run, "--steps", "2"] + small
        try assertRefused([
            (["bench", "--patch", "1000000000", "--steps", "1"], "patch size must be at most"),
            (["bench", "--patch", "3000", "--steps", "1"], "patch size 3000 is larger than the 2000 values of a cell"),
            (["bench", "--arch", "dit", "--mlp-ratio", "inf", "--steps", "1"], "mlp ratio"),
            (["bench", "--arch", "dit", "--mlp-ratio", "1e300", "--steps", "1"], "mlp ratio"),
            (["bench", "--arch", "dit", "--mlp-ratio", "nan", "--steps", "1"], "mlp ratio"),
            (["bench", "--hidden", "16384", "--depth", "256", "--steps", "1"], "GB"),
            (["bench", "--heads", "7", "--steps", "1"], "must divide into 7 heads"),
            (["bench", "--batch", "0", "--steps", "1"], "--batch must be between"),
            (train + ["--weight-decay", "nan"], "weight decay"),
            (train + ["--min-lr=-1"], "minimum learning rate"),
            (train + ["--warmup=-5"], "warm-up"),
            (train + ["--clip", "inf"], "gradient clip"),
            (train + ["--lr", "inf"], "learning rate must be positive"),
            (train + ["--holdout", "1.5"], "held-out fraction"),
            (train + ["--holdout", "nan"], "held-out fraction"),
            (train + ["--ema", "1"], "EMA decay"),
            (train + ["--time-budget=-1"], "time budget"),
            (["sample", "--run", run, "--n", "2", "--steps", "0", "--out", directory + "/x.npy"], "DDIM steps must be between 1 and 999 (got 0)"),
            (["sample", "--run", run, "--n", "2", "--eta", "2", "--out", directory + "/x.npy"], "DDIM η must be in [0, 1] (got 2.0)"),
            (["sample", "--run", run, "--n", "0", "--out", directory + "/x.npy"], "--n must be between"),
            (["sample", "--run", run, "--n", "-1", "--out", directory + "/x.npy"], "Missing value for '--n <n>' (a negative number is written --n=-1)"),
            (["sample", "--run", run, "--n", "2", "--values", "raw", "--out", directory + "/x.npy"], "'raw' is invalid for '--values"),
            (["eval", "--run", run, "--components", "0"], "--components must be at least 1"),
        ])
        XCTAssertFalse(FileManager.default.fileExists(atPath: run), "nothing written")
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/x.npy"))
    }

    func testRunDirectoriesEditedByHandAreRefused() throws {
        let run = directory + "/run"
        let trained = try CommandRunner.wbdit(["train", "--data", data, "--run", run, "--steps", "2", "--checkpoint-every", "1"] + small)
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let out = directory + "/cells.h5ad"
        try Data("not a folder".utf8).write(to: URL(fileURLWithPath: directory + "/plain"))
        func edited(_ name: String, _ change: (String) throws -> Void) throws -> String {
            let copy = directory + "/" + name
            try FileManager.default.copyItem(atPath: run, toPath: copy)
            try change(copy)
            return copy
        }
        func write(_ text: String, _ path: String) throws { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) }
        let garbledConfig = try edited("config") { try write("{not json", $0 + "/config.json") }
        let futureFormat = try edited("format") { try write("{\"format\": 99}", $0 + "/config.json") }
        let garbledSplit = try edited("split") { try write("[1, 2", $0 + "/split.json") }
        let danglingLatest = try edited("latest") { try write("step-999", $0 + "/latest") }
        let cutCheckpoint = try edited("cut") { path in
            let model = path + "/checkpoints/step-2.safetensors"
            let bytes = try Data(contentsOf: URL(fileURLWithPath: model))
            try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: model))
        }
        let emptyCheckpoint = try edited("empty") { try Data().write(to: URL(fileURLWithPath: $0 + "/checkpoints/step-2.safetensors")) }
        // Files that parse but hold values wbdit never writes: refused before anything is sized from them.
        func json(_ name: String, _ file: String, _ change: @escaping (inout [String: Any]) -> Void) throws -> String {
            try edited(name) { path in
                let url = URL(fileURLWithPath: path + "/" + file)
                var object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
                change(&object)
                try JSONSerialization.data(withJSONObject: object).write(to: url)
            }
        }
        let negativeBatch = try json("batch", "config.json") { $0["batch"] = -1 }
        let hugeLength = try edited("length") { path in   // past Int64, as no JSON library of ours writes it
            let url = URL(fileURLWithPath: path + "/config.json")
            let text = try String(contentsOf: url, encoding: .utf8)
            try write(text.replacingOccurrences(of: #""totalSteps" : 2"#, with: #""totalSteps" : 100000000000000000000"#), path + "/config.json")
        }
        let textBatch = try json("textbatch", "config.json") { $0["batch"] = "x" }
        let hugeModel = try json("hidden", "config.json") { config in
            var model = config["model"] as! [String: Any]
            model["hiddenSize"] = 1 << 40
            config["model"] = model
        }
        let shortNames = try json("names", "config.json") { config in
            var data = config["data"] as! [String: Any]
            data["geneNames"] = ["a", "b"]
            config["data"] = data
        }
        let wrongWidth = try json("width", "config.json") { config in
            var model = config["model"] as! [String: Any]
            model["genes"] = 10
            config["model"] = model
        }
        let outsideSplit = try json("outside", "split.json") { split in
            split["heldOutCells"] = (split["heldOutCells"] as! [Int]) + [1_000_000]
        }
        let sample = { (path: String) in ["sample", "--run", path, "--n", "2", "--steps", "2", "--out", out] }
        // Finite inputs whose prediction overflows Float32.
        // Folders where a file should be.
        let folderNamedNpy = directory + "/folder.npy", folderNamedH5ad = directory + "/folder.h5ad"
        for folder in [folderNamedNpy, folderNamedH5ad] { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let huge = directory + "/huge.npy", timesteps = directory + "/t.npy"
        try NumpyArray(shape: [2, 20], values: (0..<40).map { $0 % 2 == 0 ? 3e38 : -3e38 }).write(to: huge)
        try NumpyArray(shape: [2], values: [0, 999]).write(to: timesteps)
        try assertRefused([
            (sample(garbledConfig), "is not a wbdit run configuration"),
            (sample(hugeLength), "totalSteps cannot be read ("),
            (sample(textBatch), "config.json: batch cannot be read"),
            (sample(futureFormat), "run format 99"),
            (["eval", "--run", garbledSplit, "--steps", "2"], "split.json"),
            (sample(danglingLatest), "step-999"),
            (sample(cutCheckpoint), "step-2.safetensors"),
            (sample(emptyCheckpoint), "step-2.safetensors"),
            (["train", "--run", negativeBatch, "--resume", "--steps", "4"], "config.json: the batch must be between 1 and 4096 cells (got -1)"),
            (["train", "--run", directory + "/nowhere", "--resume", "--threads", "1"], "is not a run directory"),
            (["report", "--run", hugeModel, "--out", directory + "/r.html"], "config.json: model: configuration too large"),
            (sample(shortNames), "data.geneNames' count is 2"),
            (sample(wrongWidth), "config.json: model.genes is 10 for 20 principal components"),
            (["eval", "--run", outsideSplit, "--steps", "2"], "split.json: heldOutCells are not ascending cell indices below"),
            (["report", "--run", outsideSplit, "--out", directory + "/r.html"], "split.json: heldOutCells"),
            (["train", "--data", data, "--run", run, "--resume", "--steps", "4", "--lr", "0.1"], "--lr cannot change"),
            (["train", "--data", fixtures + "/dense.h5ad", "--run", run, "--resume", "--steps", "4"], "not the file this run was trained on"),
            (["train", "--data", data, "--run", run, "--steps", "2"] + small, "already holds a run"),
            (["eval", "--run", run, "--labels", "no-such-column", "--steps", "2"], "no-such-column"),
            (["forward", "--checkpoint", fixtures + "/float32.npy", "--x", fixtures + "/float32.npy", "--t", fixtures + "/vector.npy",
              "--out", directory + "/eps.npy"], "float32.npy"),
            (["forward", "--checkpoint", run + "/checkpoints/step-2.safetensors", "--x", huge, "--t", timesteps,
              "--out", directory + "/eps.npy"], "the prediction is not finite"),
            (["report", "--run", run, "--out", directory + "/r.txt"], "--out must name an .html file"),
            (["tsne", directory + "/missing.h5ad", "--out", directory + "/map.csv"], "missing.h5ad"),
            (["tsne", fixtures + "/broken/no-genes.h5ad", "--out", directory + "/map.csv"], "holds 5 cells × 0 genes"),
            (["tsne", fixtures + "/nullable-no-x.h5ad", "--out", directory + "/map.csv"], "has no X (it has layers/counts): make one with wbdit prep"),
            (["tsne", fixtures + "/tenx", "--out", directory + "/map.csv"], "tenx: these commands read an .h5ad or a .npy as it is; make an .h5ad from it with wbdit prep"),
            (["eval", "--real", fixtures + "/counts.csv", "--generated", fixtures + "/float32.npy"], "counts.csv: these commands read an .h5ad or a .npy"),
            (["tsne", directory, "--out", directory + "/map.csv"], "these commands read an .h5ad or a .npy"),
            (["tsne", folderNamedNpy, "--out", directory + "/map.csv"], "cannot read \(folderNamedNpy): it is a folder, not a file"),
            (["info", folderNamedH5ad], "cannot read \(folderNamedH5ad): it is a folder, not a file"),
            (["prep", folderNamedH5ad, "--out", out], "it is a folder, not a file"),
            (["train", "--data", fixtures + "/nullable-no-x.h5ad", "--source", "layers/counts", "--labels", "cell_type",
              "--run", directory + "/labels", "--steps", "2"] + small, "the label column cell_type has no value for 1 of its 5 cells"),
            (["train", "--data", data, "--run", directory + "/plain/run", "--steps", "2"] + small, "plain is a file"),
        ])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "no partial output")
    }
}
