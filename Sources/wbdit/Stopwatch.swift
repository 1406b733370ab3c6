import Analysis
import Foundation
import Kernels

/// Wall-clock timing and process measurements for benchmarks.
enum Stopwatch {
    /// Seconds that `body` takes, by the monotonic clock.
    static func time(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// The median FLOP/s of an [m, k] · [n, k]ᵀ product (a Linear's forward) over 10 runs.
    static func sgemmRate(m: Int, n: Int, k: Int) -> Double {
        var generator = SeededGenerator(seed: 3)
        let a = FloatBuffer(count: m * k), b = FloatBuffer(count: n * k), c = FloatBuffer(count: m * n)
        generator.fillNormal(a.pointer, count: a.count)
        generator.fillNormal(b.pointer, count: b.count)
        let run = {
            Matmul.gemm(.none, .transposed, m: m, n: n, k: k, a: a.constPointer, lda: k,
                        b: b.constPointer, ldb: k, c: c.pointer, ldc: n)
        }
        run(); run()
        let seconds = Percentile.median((0..<10).map { _ in time(run) })
        return Matmul.flops(m: m, n: n, k: k) / seconds
    }

    /// The process's peak resident memory so far.
    static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024   // kilobytes on Linux
    }
}
