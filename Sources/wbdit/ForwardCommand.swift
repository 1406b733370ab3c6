import ArgumentParser
import CellData
import Foundation
import Kernels

/// `wbdit forward`: one evaluation of the noise-prediction network.
struct Forward: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Predict the noise in noisy cells: one evaluation of the network.",
        discussion: """
        Writes ε̂(x, t) for every cell as a float32 [cells, genes] .npy.

        Example:
          wbdit forward --checkpoint runs/demo/checkpoints/step-1000.safetensors \\
                        --x x.npy --t t.npy --out eps.npy
        """
    )

    @OptionGroup var inputOptions: NetworkInputOptions
    @Option(help: "Where to write the prediction (.npy, float32 [cells, genes]).")
    var out: String

    func run() throws {
        guard out.lowercased().hasSuffix(".npy") else { throw InputError("--out must name a .npy file (got \(out))") }
        let inputs = try inputOptions.load()
        inputs.network.inferenceOnly = true
        let g = inputs.x.genes
        var prediction = [Float](repeating: 0, count: inputs.x.cells * g)
        inputs.forEachChunk { range, out in
            for i in 0..<(range.count * g) { prediction[range.lowerBound * g + i] = out[i] }
        }
        if let i = prediction.firstIndex(where: { !$0.isFinite }) {
            throw InputError("the prediction is not finite (\(prediction[i]) at cell \(i / g), gene \(i % g)): check the inputs and the checkpoint")
        }
        try CellMatrix(cells: inputs.x.cells, genes: g, values: prediction).write(npy: out)
        print("wrote \(out): \(inputs.x.cells) cells × \(g) genes")
    }
}

extension Threads {
    /// Applies a `--threads` option: nil means every core.
    static func configureFromOption(_ threads: Int?) throws {
        if let threads, !(1...256).contains(threads) {
            throw InputError("--threads must be between 1 and 256 (got \(threads))")
        }
        configure(threads ?? available)
    }
}
