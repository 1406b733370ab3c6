import ArgumentParser
import Networks

/// The options that fix a network's shape, shared by `bench` and `train`: each overrides
/// one part of a base network — `train`'s preset, or `bench`'s `benchBase`.
struct ModelOptions: ParsableArguments {
    @Option(help: "Architecture: wbdit (white-box) or dit (baseline).")
    var arch: Architecture = .whiteBox
    @Option(help: "Genes per cell (G) for bench (default: 2000); train uses the data's.")
    var genes: Int?
    @Option(help: "Genes per token (P); G need not be a multiple (default: train's preset's, 40 for small; bench 10).")
    var patch: Int?
    @Option(help: "Token width (D) (default: train's preset's, 256 for small; bench 768).")
    var hidden: Int?
    @Option(help: "Number of blocks (default: 3).")
    var depth: Int?
    @Option(help: "Attention heads (H); D must divide by H (default: 8).")
    var heads: Int?
    @Option(name: .customLong("mlp-ratio"), help: "DiT MLP width as a multiple of D (default: 4).")
    var mlpRatio: Double?

    /// The paper's network on 2000 genes: what `bench` measures unless told otherwise.
    static let benchBase = (genes: 2000, patch: 10, hidden: 768, depth: 3, heads: 8, mlpRatio: 4.0)

    /// `base` with every option given replacing its part, under this architecture.
    func config(over base: ModelConfig) throws -> ModelConfig {
        try ModelConfig(architecture: arch, inputWidth: genes ?? base.inputWidth, patchSize: patch ?? base.patchSize,
                        hiddenSize: hidden ?? base.hiddenSize, depth: depth ?? base.depth, heads: heads ?? base.heads,
                        mlpRatio: mlpRatio ?? base.mlpRatio, labelClasses: base.labelClasses)
    }

    /// The network `bench` measures.
    func benchConfig() throws -> ModelConfig {
        let b = Self.benchBase
        return try config(over: ModelConfig(architecture: arch, inputWidth: b.genes, patchSize: b.patch, hiddenSize: b.hidden,
                                            depth: b.depth, heads: b.heads, mlpRatio: b.mlpRatio))
    }
}

extension Architecture: ExpressibleByArgument {}
