import CellData
import Foundation
import Storage
import Networks

/// A run's folder, written only by its trainer:
///
///     config.json                       everything needed to reproduce the run
///     metrics.jsonl                     one JSON object per step
///     checkpoints/step-N.safetensors    weights, loadable by `Checkpoint.load` and PyTorch
///     checkpoints/step-N.optim.safetensors   AdamW moments, EMA weights, generator and data position
///     latest                            the name of the newest complete checkpoint
///     split.json                        the cells trained on and the cells held out
///     cells.h5ad, cells.json            the cells using the run reads (`KeptCells`)
///     basis.npy                         the principal basis of a run on component scores
///     count-model.safetensors           how generated cells become counts (`CountModel`)
///     samples/                          generated cells
public struct RunDirectory: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    public var configPath: String { path + "/config.json" }
    public var metricsPath: String { path + "/metrics.jsonl" }
    public var checkpointsPath: String { path + "/checkpoints" }
    public var samplesPath: String { path + "/samples" }
    var latestPath: String { path + "/latest" }
    public var splitPath: String { path + "/split.json" }
    /// The principal basis of a `--pca-basis` run.
    public var basisPath: String { path + "/basis.npy" }
    /// The fitted count model (`CountModel.write(to:)`), for a run whose data held counts.
    public var countModelPath: String { path + "/" + CountModel.fileName }

    public func modelPath(step: Int) -> String { checkpointsPath + "/step-\(step).safetensors" }
    public func optimiserPath(step: Int) -> String { checkpointsPath + "/step-\(step).optim.safetensors" }

    /// Creates the folders and writes `config.json`, for a trainer holding the run's lock.
    /// A folder that already holds a run is refused, unless that run never reached its
    /// first checkpoint (its start was interrupted or killed): nothing in it can be resumed,
    /// so it is started again in place, with a note.
    public static func create(at path: String, config: TrainingConfig) throws -> RunDirectory {
        let run = RunDirectory(path: path)
        if FileManager.default.fileExists(atPath: run.configPath) {
            guard (try? run.latestStep()) == .some(nil) else {
                throw TrainingError("\(path) already holds a run: continue it with --resume, or choose another --run")
            }
            FileHandle.standardError.write(Data("note: \(path) holds a run that never reached its first checkpoint; starting it again\n".utf8))
            try run.clearUnstarted()
        }
        for folder in [path, run.checkpointsPath, run.samplesPath] { try Folder.create(folder) }
        try run.writeConfig(config)
        return run
    }

    /// Deletes what a run writes before its first checkpoint, and the temporary files of
    /// writes that were cut off; the lock stays.
    private func clearUnstarted() throws {
        let written = [configPath, metricsPath, splitPath, basisPath, latestPath, checkpointsPath, samplesPath,
                       countModelPath, path + "/" + KeptCells.matrixFile, path + "/" + KeptCells.indexFile]
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        let cutOff = names.filter { $0.hasPrefix(".") && $0.contains(".partial-") }.map { path + "/" + $0 }
        for item in written + cutOff where FileManager.default.fileExists(atPath: item) {
            do { try FileManager.default.removeItem(atPath: item) } catch {
                throw TrainingError("cannot clear \(item) to start the run again: \(error.localizedDescription)")
            }
        }
    }

    /// Opens an existing run and reads its configuration, refusing formats this build cannot read.
    public static func open(_ path: String) throws -> (RunDirectory, TrainingConfig) {
        let run = RunDirectory(path: path)
        guard let data = FileBytes.read(run.configPath) else {
            throw TrainingError("\(path) is not a run directory (no config.json)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let format = object["format"] as? Int else {
            throw TrainingError("\(run.configPath) is not a wbdit run configuration")
        }
        guard format == TrainingConfig.currentFormat else {
            throw TrainingError("\(path) was written in run format \(format); this wbdit reads format \(TrainingConfig.currentFormat) — use the wbdit version that wrote it")
        }
        let config: TrainingConfig
        do {
            config = try JSONDecoder().decode(TrainingConfig.self, from: data)
        } catch DecodingError.keyNotFound(let key, let context) {
            let field = (context.codingPath + [key]).map(\.stringValue).joined(separator: ".")
            throw TrainingError("\(run.configPath) lacks \(field): it was written by another version of wbdit")
        } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
                DecodingError.dataCorrupted(let context) where !context.codingPath.isEmpty {
            // A value of the wrong kind, or a number past what the field holds (a 64-bit step count).
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw TrainingError("\(run.configPath): \(field) cannot be read (\(context.debugDescription)); the file was edited or damaged")
        } catch {
            // Linux's decoder reports a number past 64 bits as invalid JSON, naming no field.
            if let field = Self.numberBeyondInt64(in: object) {
                throw TrainingError("\(run.configPath): \(field) cannot be read (a number beyond 64 bits); the file was edited or damaged")
            }
            throw TrainingError("\(run.configPath) cannot be read: it was written by another version of wbdit or edited")
        }
        do { try config.checkStored() } catch {
            throw TrainingError("\(run.configPath): \(error); the file was edited or damaged")
        }
        return (run, config)
    }

    /// The dotted path of the first number in a parsed JSON object too large for an Int.
    private static func numberBeyondInt64(in value: Any, at path: String = "") -> String? {
        if let number = value as? NSNumber, !(value is Bool) {
            return abs(number.doubleValue) >= 9.2e18 ? path : nil
        }
        if let object = value as? [String: Any] {
            for key in object.keys.sorted() {
                if let found = numberBeyondInt64(in: object[key]!, at: path.isEmpty ? key : path + "." + key) { return found }
            }
        }
        if let array = value as? [Any] {
            for (i, element) in array.enumerated() {
                if let found = numberBeyondInt64(in: element, at: "\(path)[\(i)]") { return found }
            }
        }
        return nil
    }

    func writeSplit(_ split: HeldOutSplit) throws {
        try AtomicFile.write(try JSONEncoder().encode(split), to: splitPath)
    }

    /// The principal basis the run's network works in, or nil when it works on the cells
    /// themselves.
    public func basis(_ config: TrainingConfig) throws -> PrincipalBasis? {
        guard config.data.principalBasis == true else { return nil }
        let basis: PrincipalBasis
        do { basis = try PrincipalBasis(npy: basisPath, components: config.data.principalComponents) } catch {
            throw TrainingError("\(path) was trained on principal-component scores but its basis.npy cannot be read: \(error)")
        }
        guard basis.genes == config.data.genes, basis.components == config.model.inputWidth else {
            throw TrainingError("\(basisPath) maps \(basis.genes) genes to \(basis.components) scores, but the run has \(config.data.genes) genes and a network \(config.model.inputWidth) wide")
        }
        return basis
    }

    /// The run's held-out split of the `config.data.cells` cells it was trained on.
    public func split(_ config: TrainingConfig) throws -> HeldOutSplit {
        guard let data = FileBytes.read(splitPath),
              let split = try? JSONDecoder().decode(HeldOutSplit.self, from: data) else {
            throw TrainingError("\(path) has no readable split.json")
        }
        let cells = config.data.cells
        for (name, rows) in [("trainCells", split.trainCells), ("heldOutCells", split.heldOutCells)] {
            guard zip(rows, rows.dropFirst()).allSatisfy({ $0 < $1 }), rows.allSatisfy({ (0..<cells).contains($0) }) else {
                throw TrainingError("\(splitPath): \(name) are not ascending cell indices below \(cells); the file was edited or damaged")
            }
        }
        guard Set(split.trainCells).isDisjoint(with: split.heldOutCells) else {
            throw TrainingError("\(splitPath): a cell is both trained on and held out; the file was edited or damaged")
        }
        return split
    }

    /// The run's cells, prepared as it prepared them: the cells it keeps (`KeptCells`, what
    /// sampling, evaluation, reports, inspection and the workbench read) when it has them
    /// and they carry the labels asked for, otherwise its data file (runs from before runs
    /// kept their cells, and labels from another column), which must be unchanged.
    public func cells(_ config: TrainingConfig, labelsFrom column: String? = nil) throws -> CellSource {
        if KeptCells.exist(in: path) {
            let kept = try KeptCells(folder: path)
            if column == nil || column == kept.labelColumn { return .kept(kept) }
            guard FileManager.default.fileExists(atPath: config.data.path) else {
                throw TrainingError("\(path) keeps its cells' labels from \(kept.labelColumn ?? "no column"); labels from \(column!) need its training file \(config.data.path), which is not there")
            }
        }
        return try config.openCells(labelsFrom: column)
    }

    /// Writes what using the trained run reads besides its weights, where the run lacks it:
    /// the cells it keeps (`KeptCells`) and its fitted count model, from `source` (its data,
    /// prepared as the run prepared it; read only when the cells are missing). Returns what
    /// was written, for a note; for the run's trainer, or a process that may write the run.
    public func keepForUse(_ config: TrainingConfig, split: HeldOutSplit, basis: PrincipalBasis?,
                           source: () throws -> CellSource) throws -> [String] {
        var written: [String] = []
        var data: CellSource?
        if !KeptCells.exist(in: path) {
            data = try source()
            let rows = EvaluationCells.cellsRead(split) + CountModel.fitCells(split)
            try KeptCells(keeping: rows, of: data!, labelColumn: split.stratifiedBy).write(to: path)
            written.append("the cells its uses read")
        }
        let outdated = CountModel.isOutdated(countModelPath)
        if !FileManager.default.fileExists(atPath: countModelPath) || outdated,
           let model = try CountModel.ofRun(config, source: try data ?? cells(config), split: split, basis: basis) {
            try model.write(to: countModelPath)
            written.append(outdated ? "a count model of today's format" : "its count model")
        }
        return written
    }

    public func writeConfig(_ config: TrainingConfig) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(config), to: configPath)
    }

    /// The step of the newest complete checkpoint, or nil before the first.
    public func latestStep() throws -> Int? {
        guard let text = FileBytes.text(latestPath) else {
            guard !FileManager.default.fileExists(atPath: latestPath) else {
                throw TrainingError("\(latestPath) does not name a checkpoint (it is not text)")
            }
            return nil
        }
        let name = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard name.hasPrefix("step-"), let step = Int(name.dropFirst(5)) else {
            throw TrainingError("\(latestPath) does not name a checkpoint (\"\(name)\")")
        }
        return step
    }

    /// The step a resumed run continues from: its newest checkpoint, which it must have.
    public func resumableStep() throws -> Int {
        guard let step = try latestStep() else {
            throw TrainingError("\(path) has no checkpoint yet to resume from (its start was cut off): start it again with train --data and the same options")
        }
        return step
    }

    /// Points `latest` at a checkpoint whose files are both complete, then removes all but
    /// the newest `keep` checkpoints.
    func commit(step: Int, keep: Int) throws {
        try AtomicFile.write(Data("step-\(step)\n".utf8), to: latestPath)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: checkpointsPath)) ?? []
        let steps = Set(names.compactMap { name -> Int? in
            guard name.hasPrefix("step-"), name.hasSuffix(".safetensors") else { return nil }
            return Int(name.dropFirst(5).prefix { $0.isNumber })
        }).sorted()
        for old in steps.dropLast(max(1, keep)) where old != step {
            try? FileManager.default.removeItem(atPath: modelPath(step: old))
            try? FileManager.default.removeItem(atPath: optimiserPath(step: old))
        }
    }

    /// The network of checkpoint `step` with its EMA weights in place of the trained ones.
    public func loadEMA(step: Int) throws -> DiffusionTransformer {
        let network = try Checkpoint.load(modelPath(step: step))
        let state = try SafeTensorsFile(contentsOf: optimiserPath(step: step))
        guard state.info("ema")?.shape == [network.parameters.layout.trainableCount] else {
            throw TrainingError("\(path) keeps no EMA weights (train with --ema DECAY)")
        }
        try state.copyFloat32("ema", into: network.parameters.trainable)
        return network
    }
}
