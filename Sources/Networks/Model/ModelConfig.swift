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
    /// Label classes of a conditional model, or nil for an unconditional one.
    public var classes: Int?

    public init(architecture: Architecture, inputWidth: Int, patchSize: Int = 10, hiddenSize: Int,
                depth: Int, heads: Int, mlpRatio: Double = 4, classes: Int? = nil) throws {
        self.architecture = architecture
        self.inputWidth = inputWidth
        self.patchSize = patchSize
        self.hiddenSize = hiddenSize
        self.depth = depth
        self.heads = heads
        self.mlpRatio = mlpRatio
        self.classes = classes
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

    enum CodingKeys: String, CodingKey {
        case architecture, inputWidth = "genes", patchSize, hiddenSize, depth, heads, mlpRatio, classes
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
        if let classes { try require((1...100_000).contains(classes), "classes must be between 1 and 100000 (got \(classes))") }
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
