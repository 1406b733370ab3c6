import ArgumentParser
import Networks

/// The options that fix a network's shape, shared by `bench` and `train`.
struct ModelOptions: ParsableArguments {
    @Option(help: "Architecture: wbdit (white-box) or dit (baseline).")
    var arch: Architecture = .whiteBox
    @Option(help: "Genes per cell (G).")
    var genes: Int = 2000
    @Option(help: "Genes per token (P); G need not be a multiple.")
    var patch: Int = 10
    @Option(help: "Token width (D).")
    var hidden: Int = 768
    @Option(help: "Number of blocks.")
    var depth: Int = 3
    @Option(help: "Attention heads (H); D must divide by H.")
    var heads: Int = 8
    @Option(name: .customLong("mlp-ratio"), help: "DiT MLP width as a multiple of D.")
    var mlpRatio: Double = 4

    func config() throws -> ModelConfig {
        try ModelConfig(architecture: arch, genes: genes, patchSize: patch, hiddenSize: hidden,
                        depth: depth, heads: heads, mlpRatio: mlpRatio)
    }
}

extension Architecture: ExpressibleByArgument {}
