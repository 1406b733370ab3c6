import CellData
import Diffusion
import Foundation
import Networks
import TextUI

/// Every parser of untrusted bytes, behind one entry point: the libFuzzer target
/// (`make fuzz`, Tests/Fuzz) calls it with generated inputs and `make test` replays the
/// committed corpus through it (Tests/FuzzReplayTests). A parser may refuse its input —
/// that is the point — but must never trap, leak or read out of bounds.
public enum FuzzHarness {
    /// The parsers, by the name of their corpus folder.
    public static let targets = ["npy", "safetensors", "checkpoint", "h5ad", "csv", "mtx", "theme", "config", "split", "metrics"]

    /// A scratch folder per process (in memory when /dev/shm exists).
    static let scratch: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let path = base + "/wbdit-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    static func file(_ name: String, _ data: Data) -> String {
        let path = scratch + "/" + name
        FileManager.default.createFile(atPath: path, contents: data)
        return path
    }

    /// Feeds `data` to the parser `target`; errors are expected and ignored.
    public static func run(_ target: String, _ data: Data) {
        switch target {
        case "npy":
            if let array = try? NumpyArray(data: data, name: "fuzz.npy") { _ = array.values.count }
            _ = try? CellMatrix.load(npy: file("x.npy", data))
        case "safetensors":
            if let tensors = try? SafeTensorsFile(data: data) {
                for name in tensors.metadata.keys.sorted() { _ = tensors.metadata[name] }
                for tensor in tensors.tensors { _ = try? tensors.floats(tensor.name) }
            }
        case "checkpoint":
            _ = try? Checkpoint.load(file("model.safetensors", data))
        case "h5ad":
            let path = file("x.h5ad", data)
            guard let anndata = try? AnnDataFile(path: path) else { return }
            for source in (try? anndata.sources()) ?? [] {
                if let m = try? anndata.matrix(source) { _ = m.values.count }
            }
            for frame in ["obs", "var"] {
                _ = try? anndata.names(frame)
                for column in (try? anndata.columns(frame)) ?? [] {
                    _ = try? anndata.column(column, of: frame)
                    _ = try? anndata.kind(ofColumn: column, in: frame)
                }
            }
            _ = try? CellLoader.load(path, Preparation(topGenes: nil))
        case "csv":
            _ = try? TextMatrix.table(file("x.csv", data))
        case "mtx":
            // One input, three files: split at the first two NUL bytes (or none).
            let parts = data.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
            let folder = scratch + "/tenx"
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for (k, name) in ["matrix.mtx", "features.tsv", "barcodes.tsv"].enumerated() {
                FileManager.default.createFile(atPath: folder + "/" + name, contents: k < parts.count ? Data(parts[k]) : Data())
            }
            _ = try? TextMatrix.tenX(folder)
        case "theme":
            _ = try? Theme.parse(String(decoding: data, as: UTF8.self), name: "fuzz")
        case "config":
            let folder = scratch + "/run"
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: folder + "/config.json", contents: data)
            if let (run, config) = try? RunDirectory.open(folder) { _ = try? run.basis(config); _ = try? config.model.validate() }
        case "split":
            _ = try? JSONDecoder().decode(HeldOutSplit.self, from: data)
        case "metrics":
            _ = try? RunHistory(contentsOf: file("metrics.jsonl", data))
        default:
            preconditionFailure("no fuzz target \(target)")
        }
    }
}
