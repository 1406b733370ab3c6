import Foundation
import Storage
import Networks

/// A run's log read back from `metrics.jsonl`: every step's figures and every per-layer
/// readout, in step order. Lines that do not parse (a line cut short by a crash) are skipped.
public struct RunHistory: Sendable, Equatable {
    public var steps: [LoggedStep] = []
    /// Readouts by step, in step order.
    public var readouts: [(step: Int, layers: [LayerReadout])] = []

    public init() {}

    public init(contentsOf path: String) throws {
        guard let text = FileBytes.text(path) else {
            if !FileManager.default.fileExists(atPath: path) { return }
            throw TrainingError("cannot read \(path)")
        }
        var layers: [Int: [LayerReadout]] = [:]
        for line in MetricsLog.lines(of: text) {
            if let r = line.readout {
                layers[r.step, default: []].append(LayerReadout(layer: r.layer, codingRate: r.codingRate, codingRateSD: r.codingRateSD,
                                                                sparsity: r.sparsity))
            } else if let s = line.step {
                steps.append(s)
            }
        }
        readouts = layers.keys.sorted().map { ($0, layers[$0]!.sorted { $0.layer < $1.layer }) }
    }

    public static func == (a: RunHistory, b: RunHistory) -> Bool {
        a.steps == b.steps && a.readouts.map(\.step) == b.readouts.map(\.step)
            && a.readouts.map(\.layers) == b.readouts.map(\.layers)
    }
}
