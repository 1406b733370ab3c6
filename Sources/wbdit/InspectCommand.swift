import ArgumentParser
import CellData
import Diffusion
import Foundation
import Networks
import Report

/// `wbdit inspect`: what each layer of a checkpoint does to real cells.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure each layer of a checkpoint on real cells: coding rate and sparsity.",
        discussion: """
        Runs a probe batch — the first --cells cells, noised at timesteps spread over \
        1…999, or all at --noise-step — and reports, per layer, the coding rate R^c of the \
        per-head projections (unit tokens, ε² = 0.01) against its ceiling for the \
        network's tokens, and the sparsity of the feed-forward output (white-box: exact \
        zeros after ISTA; DiT: post-GELU values below 0.01). With --run the probe cells \
        are the run's held-out cells, prepared as it prepared them and, for a run on \
        principal-component scores, projected as it projected them; with --checkpoint and \
        --data they are prepared as `train` prepares them, keeping as many genes as the \
        checkpoint has (genes, so give --run for a --pca-basis run).

        --units reads every ISTA atom (white-box) or MLP hidden unit (DiT) and every head \
        in genes and cell types: the genes that track it (Spearman ρ), the type it is \
        most specific to (AUC), enrichment for that type's markers (hypergeometric, \
        Benjamini–Hochberg), beside random directions in the same layers and principal \
        components (docs/metrics.md, "Units in genes").

        Example:
          wbdit inspect --run runs/demo
          wbdit inspect --run runs/demo --noise-step 100 --cells 512
          wbdit inspect --run runs/demo --units --labels level1
          wbdit inspect --checkpoint runs/demo/checkpoints/step-2000.safetensors \\
                        --data sample-data/zeisel2015.h5ad
        """
    )

    @Option(name: .customLong("run"), help: "A run directory: its latest checkpoint, on its own held-out cells.")
    var runPath: String?
    @Option(help: "A safetensors checkpoint (with --data).")
    var checkpoint: String?
    @Option(help: "Cells for --checkpoint: .h5ad, a 10x folder, .csv/.tsv or .npy.")
    var data: String?
    @Option(help: "Cells in the probe batch.")
    var cells: Int = 64
    @Option(help: "Seed of the probe noise.")
    var seed: UInt64 = 0
    @Flag(help: "With --run: read every atom (white-box) or MLP unit (DiT) and head in genes and cell types, beside random directions and principal components.")
    var units = false
    @Option(help: "With --units: the obs column of cell types (default: the run's own).")
    var labels: String?
    @Option(name: .customLong("noise-step"), help: "The timestep (1-999) every probe cell is noised to (default: spread over 1-999; with --units, \(RunUnits.defaultNoiseStep)).")
    var noiseStep: Int?
    @Option(help: "With --units: the most specific units listed per layer.")
    var top: Int = 5
    @Flag(help: "JSON: one object per layer; with --units one per unit, head and baseline direction, one per line.")
    var json = false

    func run() throws {
        if units { return try UnitsReport(self).print() }
        guard labels == nil else { throw InputError("--labels goes with --units") }
        guard (1...4096).contains(cells) else { throw InputError("--cells must be between 1 and 4096 (got \(cells))") }
        if let noiseStep, !(1...(NoiseSchedule.steps - 1)).contains(noiseStep) {
            throw InputError("--noise-step must be between 1 and \(NoiseSchedule.steps - 1) (got \(noiseStep))")
        }
        let (network, probe) = try networkAndCells()
        let n = min(cells, probe.cells)
        let layers = probe.values.withUnsafeBufferPointer {
            ProbeBatch.readouts(network, data: $0.baseAddress!, cells: n, seed: seed, step: noiseStep)
        }
        let c = network.config
        let ceiling = LayerReadout.codingRateCeiling(heads: c.heads, headWidth: c.headWidth, tokens: c.tokens)
        let sparsityName = c.architecture == .whiteBox ? "sparsity (zeros)" : "sparsity (|h| < 0.01)"
        var rows = [["layer", "coding rate R^c (nats)", "of ceiling", sparsityName]]
        for layer in layers {
            rows.append([String(layer.layer), String(format: "%.1f ± %.1f", layer.codingRate, layer.codingRateSD),
                         String(format: "%.1f%%", 100 * layer.codingRate / ceiling), String(format: "%.3f", layer.sparsity)])
        }
        if json {
            let objects = layers.map { ["layer": $0.layer + 1, "coding_rate": $0.codingRate, "coding_rate_sd": $0.codingRateSD,
                                        "ceiling": ceiling, "sparsity": $0.sparsity] as [String: Any] }
            let data = try JSONSerialization.data(withJSONObject: ["architecture": c.architecture.rawValue, "cells": n,
                                                                   "noise_step": noiseStep.map { $0 as Any } ?? NSNull(), "layers": objects],
                                                  options: [.sortedKeys])
            return print(String(decoding: data, as: UTF8.self))
        }
        let noised = noiseStep.map { "noised to step \($0)" } ?? "noised at steps spread over 1-999"
        print("\(c.architecture == .whiteBox ? "white-box" : "DiT") \(c.hiddenSize)/\(c.depth)/\(c.heads), \(n) cells \(noised); ceiling \(String(format: "%.1f", ceiling)) nats for \(c.tokens) tokens in \(c.heads) heads of width \(c.headWidth)")
        print(Table(rows).text)
    }

    /// The network and the cells to probe it with, in the space it was trained in.
    func networkAndCells() throws -> (DiffusionTransformer, CellMatrix) {
        switch (runPath, checkpoint, data) {
        case (let run?, nil, nil):
            let trained = try TrainedRun(path: run)
            return (try trained.network(readouts: true).network, try trained.networkInput(Array(EvaluationCells.heldOutCells(trained.split).prefix(cells))))
        case (nil, let checkpoint?, let data?):
            let network = try Checkpoint.load(checkpoint)
            let g = network.config.inputWidth
            let prepared = try CellLoader.load(data, Preparation(topGenes: g))
            guard prepared.matrix.genes == g else {
                throw InputError("\(data) gives \(prepared.matrix.genes) genes per cell, but the checkpoint has \(g)")
            }
            return (network, prepared.matrix)
        default:
            throw InputError("give --run, or --checkpoint with --data")
        }
    }
}
