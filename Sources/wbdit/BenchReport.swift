import Foundation
import Kernels
import TextUI
import Networks

/// The figures of one `wbdit bench` run and their two renderings.
struct BenchReport {
    let config: ModelConfig
    let batch: Int
    let steps: Int
    let threads: Int
    let kernels: KernelChoice
    let precision: ProductPrecision
    let stepSeconds: Double
    let stepFlops: Double
    let sgemmRate: Double
    let largest: (m: Int, n: Int, k: Int)
    let peakResidentBytes: Int

    var achievedRate: Double { stepFlops / stepSeconds }

    /// One line of the JSON-lines files benchmarks/summarize.py reads (the PyTorch peer
    /// writes the same fields with "impl": "pytorch").
    struct Line: Encodable {
        let impl = "wbdit"
        let kernels: String
        let precision: String
        let arch: String
        let genes, patch, hidden, depth, heads, batch, steps, threads: Int
        let step_seconds_median, cells_per_second, gflop_per_step, gflops_per_second, sgemm_gflops_per_second: Double
        let sgemm_shape: [Int]
        let peak_rss_bytes: Int
    }

    var json: String {
        let c = config
        let line = Line(kernels: kernels.rawValue, precision: precision.rawValue, arch: c.architecture.rawValue, genes: c.inputWidth, patch: c.patchSize,
                        hidden: c.hiddenSize, depth: c.depth, heads: c.heads, batch: batch, steps: steps, threads: threads,
                        step_seconds_median: stepSeconds, cells_per_second: Double(batch) / stepSeconds,
                        gflop_per_step: stepFlops / 1e9, gflops_per_second: achievedRate / 1e9,
                        sgemm_gflops_per_second: sgemmRate / 1e9, sgemm_shape: [largest.m, largest.n, largest.k],
                        peak_rss_bytes: peakResidentBytes)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(line)) ?? Data(), as: UTF8.self)
    }

    var table: String {
        let c = config
        let name = c.architecture == .whiteBox ? "white-box" : "DiT"
        let rows: [(String, String)] = [
            ("model", "\(name)  G \(c.inputWidth)  P \(c.patchSize)  D \(c.hiddenSize)  depth \(c.depth)  heads \(c.heads)"),
            ("batch, threads", "\(batch) cells, \(threads) thread\(threads == 1 ? "" : "s")"),
            ("kernels", kernels == .avx512 ? "AVX-512 (own sgemm and AdamW; OpenBLAS \(KernelChoice.openBLASCore) for the products it runs faster)"
                         : "portable (OpenBLAS \(KernelChoice.openBLASCore), Swift loops)"),
            ("products", precision == .float32 ? "Float32" : "BF16 operands, Float32 sums (every product on the BF16 kernel)"),
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
