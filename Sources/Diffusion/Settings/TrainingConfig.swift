import CellData
import Foundation
import Kernels
import Networks

/// Everything needed to reproduce a run, saved as the run directory's `config.json`.
public struct TrainingConfig: Codable, Equatable, Sendable {
    /// The run-directory format this build writes and reads.
    public static let currentFormat = 1

    public var format = TrainingConfig.currentFormat
    public var softwareVersion: String
    public var model: ModelConfig
    public var data: DataSource
    /// Cells per step.
    public var batch: Int
    public var optimiser: AdamWSettings
    public var learningRate: LearningRateSchedule
    /// Clip the global gradient norm to this value (nil: no clipping).
    public var gradientClip: Double?
    /// Keep an exponential moving average of the weights with this decay (nil: none).
    public var emaDecay: Double?
    public var seed: UInt64
    /// Threads: results are bit-identical for the same seed, data and thread count.
    public var threads: Int
    public var totalSteps: Int
    public var checkpointEvery: Int
    public var keepCheckpoints: Int
    /// Steps between per-layer readouts (coding rate and sparsity on a fixed probe batch).
    public var readoutEvery: Int
    /// Stop, with a checkpoint, once this many seconds of training are spent (nil: no limit).
    /// The time counts steps, readouts and checkpoints, not pauses or sampling, and carries
    /// over a resume.
    public var timeBudgetSeconds: Double?
    /// A conditional run: its label columns (one, or several joined by commas), each one's
    /// class names, and the fraction of cells whose label in each attribute is dropped
    /// (replaced by that attribute's "no label") at each step, so one network serves
    /// classifier-free guidance and leaves out any attribute. `labelAttributes` reads them.
    public var labelColumn: String?
    public var labelNames: LabelClassNames?
    public var labelDropout: Double?
    /// The recipe the run's optimisation started from (nil: none named).
    public var recipe: TrainingRecipe?
    /// What the network learns to predict (nil: ε, the reference's objective).
    public var predictionTarget: PredictionTarget?
    /// Min-SNR-γ loss weighting (nil: every timestep weighted alike, as the reference).
    public var minSNRGamma: Double?
    /// Timesteps drawn with density rising as t^(K−1) (nil: uniform, as the reference).
    public var timestepPower: Double?
    /// How `totalSteps` was chosen, when the time budget chose it (nil: given or preset).
    public var lengthChoice: String?
    /// The precision of the training step's matrix products (nil: Float32; `bf16`: operands
    /// rounded to bfloat16, sums in Float32). Readouts, sampling and evaluation stay Float32.
    public var productPrecision: ProductPrecision?

    /// The prediction target, ε unless the run chose otherwise.
    public var target: PredictionTarget { predictionTarget ?? .epsilon }
    /// Whether the time budget chose the run's length: the trainer then plans it again at
    /// each checkpoint, from the pace so far (`StepTimer.stepsLeft`).
    public var lengthFollowsBudget: Bool { lengthChoice != nil && timeBudgetSeconds != nil }
    /// The training step's product precision, Float32 unless the run chose otherwise.
    public var precision: ProductPrecision { productPrecision ?? .float32 }

    /// The label attributes of a conditional run (nil: unconditional).
    public var labelAttributes: LabelAttributes? {
        get {
            guard let labelColumn, let labelNames else { return nil }
            return LabelAttributes(columns: CombinedLabel.columns(of: labelColumn), classes: labelNames.attributes)
        }
        set {
            labelColumn = newValue?.key
            labelNames = newValue.map { LabelClassNames($0.classes) }
        }
    }

    public init(softwareVersion: String, model: ModelConfig, data: DataSource, batch: Int = 16,
                optimiser: AdamWSettings = AdamWSettings(), learningRate: LearningRateSchedule,
                gradientClip: Double? = nil, emaDecay: Double? = nil, seed: UInt64 = 0, threads: Int,
                totalSteps: Int, checkpointEvery: Int = 500, keepCheckpoints: Int = 3, readoutEvery: Int = 50) {
        self.softwareVersion = softwareVersion
        self.model = model
        self.data = data
        self.batch = batch
        self.optimiser = optimiser
        self.learningRate = learningRate
        self.gradientClip = gradientClip
        self.emaDecay = emaDecay
        self.seed = seed
        self.threads = threads
        self.totalSteps = totalSteps
        self.checkpointEvery = checkpointEvery
        self.keepCheckpoints = keepCheckpoints
        self.readoutEvery = readoutEvery
    }
}

/// A conditional run's class names as `config.json` stores them: one list for one label
/// column (the format of every run before several), a list of lists for several.
public struct LabelClassNames: Codable, Equatable, Sendable {
    public var attributes: [[String]]

    public init(_ attributes: [[String]]) { self.attributes = attributes }

    public init(from decoder: Decoder) throws {
        let value = try decoder.singleValueContainer()
        if let one = try? value.decode([String].self) { attributes = [one] } else { attributes = try value.decode([[String]].self) }
    }

    public func encode(to encoder: Encoder) throws {
        var value = encoder.singleValueContainer()
        if attributes.count == 1 { try value.encode(attributes[0]) } else { try value.encode(attributes) }
    }
}

/// The training data as the run saw it: where it came from and a checksum of its bytes.
public struct DataSource: Codable, Equatable, Sendable {
    public var path: String
    /// FNV-1a 64 of the file's bytes, in hex.
    public var checksum: String
    public var cells: Int
    public var genes: Int
    /// Whether every value is ≥ 0 (generated cells are then clamped at 0).
    public var nonNegative: Bool
    /// How the cells were read and prepared.
    public var preparation: Preparation
    /// The preprocessing applied, in order, as scanpy would write it.
    public var preprocessing: [String]
    /// The genes the model sees, when the file names them.
    public var geneNames: [String]?
    /// Per gene, what the data was divided by (`--scale-genes`); generated cells are multiplied back.
    public var geneScale: [Float]?
    /// Set when the cells are streamed from disk rather than read whole.
    public var streaming: StreamingLayout?
    /// Set when the network is trained on the training cells' principal-component scores
    /// (`--pca-basis`): `basis.npy` in the run holds the basis; generated cells are restored.
    public var principalBasis: Bool?
    /// How many leading components the network sees, under `principalBasis` (nil: all).
    public var principalComponents: Int?
    /// Where generated cells' counts come from (`CountModel.origin`); nil in runs made
    /// before counts came out.
    public var counts: String?

    public init(path: String, checksum: String, cells: Int, genes: Int, nonNegative: Bool,
                preparation: Preparation = Preparation(topGenes: nil), preprocessing: [String] = [],
                geneNames: [String]? = nil, geneScale: [Float]? = nil) {
        self.path = path
        self.checksum = checksum
        self.cells = cells
        self.genes = genes
        self.nonNegative = nonNegative
        self.preparation = preparation
        self.preprocessing = preprocessing
        self.geneNames = geneNames
        self.geneScale = geneScale
    }

    /// The path a run records for its data: absolute, so that the run finds its training file
    /// from any working directory (runs recorded before keep the path as it was given).
    public static func recorded(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }

    /// FNV-1a 64 of a file's bytes, in hex; for a folder (10x), of its files' names and
    /// bytes in name order.
    public static func checksum(ofFile path: String) throws -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ bytes: some Sequence<UInt8>) { for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 } }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw TrainingError("cannot read \(path): no such file")
        }
        let files = isFolder.boolValue
            ? try FileManager.default.contentsOfDirectory(atPath: path).sorted().map { (name: $0, path: path + "/" + $0) }
            : [(name: "", path: path)]
        for file in files {
            var isDirectory: ObjCBool = false
            if isFolder.boolValue, FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory), isDirectory.boolValue { continue }
            // Read in 8 MiB pieces, so that a file larger than memory can be checked.
            guard let handle = FileHandle(forReadingAtPath: file.path) else { throw TrainingError("cannot read \(file.path)") }
            defer { try? handle.close() }
            mix(Array(file.name.utf8))
            do {
                while let piece = try handle.read(upToCount: 8 << 20), !piece.isEmpty { piece.withUnsafeBytes { mix($0) } }
            } catch {
                throw TrainingError("cannot read \(file.path)")
            }
        }
        return String(hash, radix: 16)
    }
}

extension TrainingConfig {
    /// The run's cells, prepared as it prepared them, from `path` (the recorded file unless
    /// another copy is given), which must be the file it was trained on.
    public func openCells(path: String? = nil, labelsFrom column: String? = nil) throws -> CellSource {
        let path = path ?? data.path
        guard try DataSource.checksum(ofFile: path) == data.checksum else {
            throw TrainingError("\(path) is not the file this run was trained on (its checksum differs from \(data.path)'s)")
        }
        return try CellSource.open(path, data.preparation, labelsFrom: column, streamBlockCells: data.streaming?.blockCells)
    }
}

/// Training cannot start or continue; the message says why.
public struct TrainingError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
