import Foundation
import Networks

/// A run's log read back from `metrics.jsonl`: every step's figures and every per-layer
/// readout, in step order. Lines that do not parse (a line cut short by a crash) are skipped.
public struct RunHistory: Sendable, Equatable {
    public struct Step: Sendable, Equatable {
        public var step: Int
        public var epoch: Int
        public var loss: Double
        public var learningRate: Double
        public var gradientNorm: Double
        public var stepSeconds: Double
        public var peakMemoryMiB: Double?

        public init(step: Int, epoch: Int, loss: Double, learningRate: Double, gradientNorm: Double,
                    stepSeconds: Double, peakMemoryMiB: Double? = nil) {
            self.step = step
            self.epoch = epoch
            self.loss = loss
            self.learningRate = learningRate
            self.gradientNorm = gradientNorm
            self.stepSeconds = stepSeconds
            self.peakMemoryMiB = peakMemoryMiB
        }
    }

    public var steps: [Step] = []
    /// Readouts by step, in step order.
    public var readouts: [(step: Int, layers: [LayerReadout])] = []

    public init() {}

    public init(contentsOf path: String) throws {
        guard let text = FileBytes.text(path) else {
            if !FileManager.default.fileExists(atPath: path) { return }
            throw TrainingError("cannot read \(path)")
        }
        var layers: [Int: [LayerReadout]] = [:]
        for line in text.split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let step = (object["step"] as? NSNumber)?.intValue else { continue }
            func number(_ key: String) -> Double? { (object[key] as? NSNumber)?.doubleValue }
            if let layer = (object["layer"] as? NSNumber)?.intValue {
                layers[step, default: []].append(LayerReadout(layer: layer, codingRate: number("coding_rate") ?? .nan,
                                                              codingRateSD: number("coding_rate_sd") ?? .nan,
                                                              sparsity: number("sparsity") ?? .nan))
            } else if let loss = number("loss") {
                steps.append(Step(step: step, epoch: (object["epoch"] as? NSNumber)?.intValue ?? 0, loss: loss,
                                  learningRate: number("lr") ?? .nan, gradientNorm: number("grad_norm") ?? .nan,
                                  stepSeconds: number("step_seconds") ?? .nan, peakMemoryMiB: number("peak_mib")))
            }
        }
        readouts = layers.keys.sorted().map { ($0, layers[$0]!.sorted { $0.layer < $1.layer }) }
    }

    public static func == (a: RunHistory, b: RunHistory) -> Bool {
        a.steps == b.steps && a.readouts.map(\.step) == b.readouts.map(\.step)
            && a.readouts.map(\.layers) == b.readouts.map(\.layers)
    }
}
