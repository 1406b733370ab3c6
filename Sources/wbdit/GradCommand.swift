import ArgumentParser
import CellData
import Foundation
import Kernels
import Networks

/// `wbdit grad`: the diffusion loss and its gradient for every trainable tensor.
struct Grad: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compute the MSE loss against given noise and its gradient for every trainable tensor.",
        discussion: """
        The loss is the mean of (ε̂(x, t) − noise)² over all cells and genes. Gradients are \
        written under the checkpoint's tensor names (pos_embed is fixed and has none), with \
        the loss in the file's metadata.

        Example:
          wbdit grad --checkpoint model.safetensors --x x.npy --t t.npy --noise eps.npy \\
                     --out grads.safetensors
        """
    )

    @OptionGroup var inputOptions: NetworkInputOptions
    @Option(help: "The noise to predict: .npy of the same shape as --x.")
    var noise: String
    @Option(help: "Where to write the gradients (.safetensors).")
    var out: String

    func run() throws {
        guard out.lowercased().hasSuffix(".safetensors") else { throw InputError("--out must name a .safetensors file (got \(out))") }
        let inputs = try inputOptions.load()
        let target = try CellMatrix.load(npy: noise, expectedGenes: inputs.x.genes, role: "noise")
        guard target.cells == inputs.x.cells else {
            throw InputError("\(noise): noise has \(target.cells) cells but x has \(inputs.x.cells)")
        }
        let network = inputs.network
        let layout = network.parameters.layout
        let g = inputs.x.genes, total = inputs.x.cells * g

        // The loss is a mean over all cells, so each chunk's gradient is scaled by 1/total and summed.
        let sum = FloatBuffer(count: layout.trainableCount)
        let dOutput = FloatBuffer(count: ModelInputs.chunk * g)
        var loss = 0.0
        try target.values.withUnsafeBufferPointer { noiseValues in
            try inputs.forEachChunk { range, out in
                let n = range.count * g
                let targetChunk = noiseValues.baseAddress! + range.lowerBound * g
                loss += MeanSquaredError.forward(prediction: out, target: targetChunk, count: n) * Double(n) / Double(total)
                MeanSquaredError.backward(dPrediction: dOutput.pointer, prediction: out, target: targetChunk,
                                          count: n, normalizer: total)
                network.backward(dOutput: dOutput.constPointer)
                let chunkGradient = network.gradients.trainable
                for i in 0..<layout.trainableCount { sum[i] += chunkGradient[i] }
                guard loss.isFinite else { throw InputError("the loss is not finite (\(loss)): check the inputs and the checkpoint") }
            }
        }

        var writer = SafeTensorsWriter(metadata: Checkpoint.metadata(for: network.config)
            .merging(["loss": String(loss), "cells": String(inputs.x.cells)]) { a, _ in a })
        for entry in layout.entries where entry.trainable {
            writer.add(entry.name, shape: entry.shape, floats: sum.pointer + entry.offset)
        }
        try writer.write(to: out)
        print("loss \(String(format: "%.9g", loss))")
    }
}
