import Foundation
import TextUI
import Networks

/// The figures of one `wbdit bench` run and their two renderings.
struct BenchReport {
    let config: ModelConfig
    let batch: Int
    let steps: Int
    let threads: Int
    let stepSeconds: Double
    let stepFlops: Double
    let sgemmRate: Double
    let largest: (m: Int, n: Int, k: Int)
    let peakResidentBytes: Int

    var achievedRate: Double { stepFlops / stepSeconds }

    var json: String {
        let fields: [(String, String)] = [
            ("impl", "\"wbdit\""), ("arch", "\"\(config.architecture.rawValue)\""),
            ("genes", "\(config.genes)"), ("patch", "\(config.patchSize)"), ("hidden", "\(config.hiddenSize)"),
            ("depth", "\(config.depth)"), ("heads", "\(config.heads)"), ("batch", "\(batch)"),
            ("steps", "\(steps)"), ("threads", "\(threads)"),
            ("step_seconds_median", String(format: "%.6f", stepSeconds)),
            ("cells_per_second", String(format: "%.3f", Double(batch) / stepSeconds)),
            ("gflop_per_step", String(format: "%.4f", stepFlops / 1e9)),
            ("gflops_per_second", String(format: "%.3f", achievedRate / 1e9)),
            ("sgemm_gflops_per_second", String(format: "%.3f", sgemmRate / 1e9)),
            ("sgemm_shape", "[\(largest.m),\(largest.n),\(largest.k)]"),
            ("peak_rss_bytes", "\(peakResidentBytes)"),
        ]
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    var table: String {
        let c = config
        let name = c.architecture == .whiteBox ? "white-box" : "DiT"
        let rows: [(String, String)] = [
            ("model", "\(name)  G \(c.genes)  P \(c.patchSize)  D \(c.hiddenSize)  depth \(c.depth)  heads \(c.heads)"),
            ("batch, threads", "\(batch) cells, \(threads) threads"),
            ("step time (median of \(steps))", Format.seconds(stepSeconds)),
            ("throughput", String(format: "%.1f cells/s", Double(batch) / stepSeconds)),
            ("matrix work per step", String(format: "%.2f GFLOP", stepFlops / 1e9)),
            ("achieved rate", String(format: "%.1f GFLOP/s", achievedRate / 1e9)),
            ("sgemm \(largest.m)×\(largest.n)×\(largest.k)", String(format: "%.1f GFLOP/s (step reaches %.0f%%)", sgemmRate / 1e9, 100 * achievedRate / sgemmRate)),
            ("peak memory", Format.bytes(peakResidentBytes)),
        ]
        let width = rows.map(\.0.count).max()!
        return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
    }
}
