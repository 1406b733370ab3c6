import Foundation

/// Which of the two networks.
public enum Architecture: String, Codable, CaseIterable, Sendable {
    /// The White-Box Diffusion Transformer: MSSA attention and one ISTA step.
    case whiteBox = "wbdit"
    /// The DiT baseline: standard attention and a GELU MLP.
    case dit = "dit"
}

/// A model configuration could not be built; the message says which value is wrong.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Everything that fixes a network's shapes.
public struct ModelConfig: Codable, Equatable, Sendable {
    public var architecture: Architecture
    /// G, the network's input width: the values per cell it reads and writes (the genes,
    /// or a principal-basis run's component scores), before padding. Stored as `genes`.
    public var inputWidth: Int
    /// P, input values per token.
    public var patchSize: Int
    /// D, token width.
    public var hiddenSize: Int
    public var depth: Int
    /// H, attention heads; D must divide by H.
    public var heads: Int
    /// The DiT MLP's hidden width is ⌊D · mlpRatio⌋ (the white-box ISTA step is D × D).
    public var mlpRatio: Double
    /// A conditional model's label attributes, the classes of each (a cell-type column, a
    /// donor column, …); nil for an unconditional model. Stored as `classes`: one number for
    /// one attribute (the format of runs with one label column), a list for several.
    public var labelClasses: [Int]?

    public init(architecture: Architecture, inputWidth: Int, patchSize: Int = 10, hiddenSize: Int,
                depth: Int, heads: Int, mlpRatio: Double = 4, labelClasses: [Int]? = nil) throws {
        self.architecture = architecture
        self.inputWidth = inputWidth
        self.patchSize = patchSize
        self.hiddenSize = hiddenSize
        self.depth = depth
        self.heads = heads
        self.mlpRatio = mlpRatio
        self.labelClasses = labelClasses
        try validate()
    }

    /// N, tokens per cell: the input padded up to a multiple of P, divided by P.
    public var tokens: Int { (inputWidth + patchSize - 1) / patchSize }
    /// The input width after zero-padding to a multiple of P.
    public var paddedWidth: Int { tokens * patchSize }
    /// p, the width of one head.
    public var headWidth: Int { hiddenSize / heads }
    /// The DiT MLP's hidden width.
    public var mlpHidden: Int { Int(Double(hiddenSize) * mlpRatio) }
    /// A, the label attributes a conditional model reads per cell (0: unconditional).
    public var labelAttributes: Int { labelClasses?.count ?? 0 }
    /// The code meaning "no label" for each attribute: its class count.
    public var nullLabels: [Int32] { (labelClasses ?? []).map(Int32.init) }
    /// Where each attribute's rows start in the label table, which stacks each attribute's
    /// classes and then its "no label" row.
    public var labelTableOffsets: [Int] {
        var offset = 0
        return (labelClasses ?? []).map { classes in defer { offset += classes + 1 }; return offset }
    }
    /// The label table's rows: each attribute's classes and its "no label" row.
    public var labelTableRows: Int { (labelClasses ?? []).reduce(0) { $0 + $1 + 1 } }

    enum CodingKeys: String, CodingKey {
        case architecture, inputWidth = "genes", patchSize, hiddenSize, depth, heads, mlpRatio, labelClasses = "classes"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        architecture = try c.decode(Architecture.self, forKey: .architecture)
        inputWidth = try c.decode(Int.self, forKey: .inputWidth)
        patchSize = try c.decode(Int.self, forKey: .patchSize)
        hiddenSize = try c.decode(Int.self, forKey: .hiddenSize)
        depth = try c.decode(Int.self, forKey: .depth)
        heads = try c.decode(Int.self, forKey: .heads)
        mlpRatio = try c.decode(Double.self, forKey: .mlpRatio)
        if let one = try? c.decodeIfPresent(Int.self, forKey: .labelClasses) { labelClasses = [one] } else {
            labelClasses = try c.decodeIfPresent([Int].self, forKey: .labelClasses)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(architecture, forKey: .architecture)
        try c.encode(inputWidth, forKey: .inputWidth)
        try c.encode(patchSize, forKey: .patchSize)
        try c.encode(hiddenSize, forKey: .hiddenSize)
        try c.encode(depth, forKey: .depth)
        try c.encode(heads, forKey: .heads)
        try c.encode(mlpRatio, forKey: .mlpRatio)
        switch labelClasses {
        case .some(let classes) where classes.count == 1: try c.encode(classes[0], forKey: .labelClasses)
        case .some(let classes): try c.encode(classes, forKey: .labelClasses)
        case .none: break
        }
    }

    /// `validate`, once `inputWidth` is the data's own (plans hold a placeholder until the
    /// data is read): a token holds no more values than a cell has.
    public func validateForData() throws {
        try validate()
        guard patchSize <= inputWidth else { throw ConfigurationError("patch size \(patchSize) is larger than the \(inputWidth) values of a cell") }
    }

    /// Checks that the shapes are consistent and small enough to allocate.
    public func validate() throws {
        func require(_ condition: Bool, _ message: @autoclosure () -> String) throws {
            if !condition { throw ConfigurationError(message()) }
        }
        try require(inputWidth >= 1, "the input width must be at least 1 (got \(inputWidth))")
        try require(patchSize >= 1, "patch size must be at least 1 (got \(patchSize))")
        try require(hiddenSize >= 4 && hiddenSize % 4 == 0,
                    "hidden size must be a positive multiple of 4 for the position embedding (got \(hiddenSize))")
        try require(depth >= 1, "depth must be at least 1 (got \(depth))")
        try require(heads >= 1 && hiddenSize % heads == 0,
                    "hidden size \(hiddenSize) must divide into \(heads) heads")
        try require(mlpRatio.isFinite && mlpRatio > 0 && mlpRatio <= 64 && mlpHidden >= 1,
                    "mlp ratio must be a number in (0, 64] giving at least one hidden unit (got \(mlpRatio))")
        if let labelClasses {
            try require((1...16).contains(labelClasses.count), "a model reads 1 to 16 label attributes (got \(labelClasses.count))")
            for classes in labelClasses {
                try require((1...100_000).contains(classes), "classes must be between 1 and 100000 (got \(classes))")
            }
        }
        try require(inputWidth <= 1 << 20, "the input width must be at most \(1 << 20) (got \(inputWidth))")
        try require(patchSize <= 1 << 20, "patch size must be at most \(1 << 20) (got \(patchSize))")
        try require(hiddenSize <= 1 << 14 && depth <= 256,
                    "configuration too large (hidden \(hiddenSize), at most \(1 << 14); depth \(depth), at most 256)")
        // Weights, gradients and AdamW's two moments, in Float32: refused before anything is allocated.
        let bytes = Double(ParameterLayout(config: self).totalCount) * 16
        let memory = Double(ProcessInfo.processInfo.physicalMemory)
        try require(bytes <= memory / 2, String(format: "the network needs %.1f GB for its weights, gradients and optimiser state; this machine has %.1f GB of memory (at most half may go to it)", bytes / 1e9, memory / 1e9))
    }
}
