import CBLAS
import CKernels

/// Whether a matrix operand is used as stored or transposed.
public enum Transpose {
    case none, transposed

    var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
}

/// Row-major general matrix products. Every matrix product in the engine goes
/// through `Matmul.gemm`: with `KernelChoice.avx512`, our own kernel (`CKernels/sgemm.c`)
/// for the shapes where it beats OpenBLAS, otherwise `cblas_sgemm`; `Matmul.naive` is the
/// specification and test oracle for both. Under `ProductPrecision.bfloat16` every product
/// goes to the BF16 kernel (`CKernels/sbgemm.c`) instead.
///
/// Computes C[m, n] = alpha · op(A)[m, k] · op(B)[k, n] + beta · C, where each
/// operand is a strided view: row r of A starts at a + r·lda. Per-head slices of
/// a [rows, D] activation are views with a leading dimension of D, never copies.
public enum Matmul {
    /// Products with fewer operations than this run on the calling thread alone.
    public static let parallelThreshold = 4e6

    /// The part of C one thread computes: a band of rows, or of columns when C has few rows.
    public struct Band {
        public let rows: Range<Int>
        public let columns: Range<Int>

        /// Calls `body` with each of the band's rows as a range of indices into C's storage
        /// (row r: r · ldc + columns), and so into any matrix laid out as C is.
        @inline(__always)
        public func forEachRowSpan(ldc: Int, _ body: (Range<Int>) -> Void) {
            for r in rows {
                let start = r * ldc + columns.lowerBound
                body(start..<(start + columns.count))
            }
        }
    }

    /// C = alpha · op(A) · op(B) + beta · C. Large products are split into bands of rows
    /// (or of columns, when there are few rows), one band per core, each a single-threaded
    /// product: one thread pool for the whole engine, and the same split every time.
    /// Inside a `Parallel.team` every thread calls it and computes its own band.
    ///
    /// `prepare` and `finish` run on each band just before and after its product, on the
    /// thread that computes it: element-wise work on C (a bias to start from, an activation
    /// to end with) that then needs no barrier and no pass of its own. `then: .nowait` lets
    /// the team go straight on to work that does not depend on this product. A product too
    /// small to split runs on rank `soloRank` (`Parallel.single(on:)`).
    @inline(__always)
    public static func gemm(_ transA: Transpose, _ transB: Transpose,
                            m: Int, n: Int, k: Int,
                            alpha: Float = 1,
                            a: ConstFloatPointer, lda: Int,
                            b: ConstFloatPointer, ldb: Int,
                            beta: Float = 0,
                            c: FloatPointer, ldc: Int,
                            then after: Parallel.After = .barrier, soloRank: Int = 0,
                            prepare: (Band) -> Void = { _ in }, finish: (Band) -> Void = { _ in }) {
        let threads = Threads.count
        if threads == 1 || flops(m: m, n: n, k: k) < parallelThreshold {
            Parallel.single(on: soloRank, then: after) {
                let band = Band(rows: 0..<m, columns: 0..<n)
                prepare(band)
                gemmOnCurrentThread(transA, transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                                    beta: beta, c: c, ldc: ldc)
                finish(band)
            }
        } else if m >= n || m >= 64 * threads {
            Parallel.split(m, then: after) { rows in
                let band = Band(rows: rows, columns: 0..<n)
                let aBand = transA == .none ? a + rows.lowerBound * lda : a + rows.lowerBound
                prepare(band)
                gemmOnCurrentThread(transA, transB, m: rows.count, n: n, k: k, alpha: alpha, a: aBand, lda: lda, b: b, ldb: ldb,
                      beta: beta, c: c + rows.lowerBound * ldc, ldc: ldc)
                finish(band)
            }
        } else {
            Parallel.split(n, then: after) { columns in
                let band = Band(rows: 0..<m, columns: columns)
                let bBand = transB == .none ? b + columns.lowerBound : b + columns.lowerBound * ldb
                prepare(band)
                gemmOnCurrentThread(transA, transB, m: m, n: columns.count, k: k, alpha: alpha, a: a, lda: lda, b: bBand, ldb: ldb,
                      beta: beta, c: c + columns.lowerBound, ldc: ldc)
                finish(band)
            }
        }
    }

    /// The same product as one single-threaded call (ours or OpenBLAS's) on the calling
    /// thread, for callers that split many small products across cores themselves
    /// (per-head attention).
    @inline(__always)
    public static func gemmOnCurrentThread(_ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
                                           alpha: Float = 1,
                                           a: ConstFloatPointer, lda: Int, b: ConstFloatPointer, ldb: Int,
                                           beta: Float = 0, c: FloatPointer, ldc: Int) {
        if countsFlops { countedFlops += flops(m: m, n: n, k: k) }
        if ProductPrecision.current == .bfloat16 {
            wbdit_sbgemm(transA == .transposed, transB == .transposed, Int32(m), Int32(n), Int32(k),
                         alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        } else if usesOwnKernel(transA, m: m, n: n, k: k) {
            wbdit_sgemm(transA == .transposed, transB == .transposed, Int32(m), Int32(n), Int32(k),
                        alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        } else {
            cblas_sgemm(CblasRowMajor, transA.cblas, transB.cblas,
                        Int32(m), Int32(n), Int32(k),
                        alpha, a, Int32(lda), b, Int32(ldb),
                        beta, c, Int32(ldc))
        }
    }

    /// Whether a product (or one thread's band of it) goes to our kernel rather than OpenBLAS's.
    @inline(__always)
    static func usesOwnKernel(_ transA: Transpose, m: Int, n: Int, k: Int) -> Bool {
        KernelChoice.usesAVX512 && ownKernelIsFaster(transA, m: m, n: n, k: k, than: KernelChoice.openBLASWidth)
    }

    /// Where our kernel beats OpenBLAS's, measured shape by shape (docs/benchmarks.md, "The
    /// kernels, shape by shape"). Ours reads op(B) in place when B is not
    /// transposed and packs it (16 × 16 blocks transposed in registers) when it is, 256 deep
    /// at a time, so a product deeper than 256 passes over C once per 256: that stops paying
    /// against OpenBLAS's AVX-512 kernels once C is large (3200 × 768 and up, a 768-wide layer
    /// over 3200 tokens). A transposed A is read down its columns, which stops paying when
    /// the depth is long and C has many rows: past 1024 rows against OpenBLAS's AVX2 kernels
    /// (3200 × 2304 × 768), from 512 against its AVX-512 ones (a weight gradient of 512 or
    /// more outputs over 3200 tokens); with a short depth (a weight gradient over 16 cells)
    /// ours is still the faster. Against OpenBLAS's SSE3 kernels ours wins everywhere.
    static func ownKernelIsFaster(_ transA: Transpose, m: Int, n: Int, k: Int,
                                  than openBLAS: KernelChoice.VectorWidth) -> Bool {
        let deepTransposedA = transA == .transposed && k > 256
        switch openBLAS {
        case .sse: return true
        case .avx2: return !(deepTransposedA && m > 1024)
        case .avx512: return !(deepTransposedA && m >= 512) && !(m * n >= 1 << 20 && k > 256)
        }
    }

    /// The obvious triple loop, accumulated in Double: the oracle for `gemm`.
    public static func naive(_ transA: Transpose, _ transB: Transpose,
                             m: Int, n: Int, k: Int,
                             alpha: Float = 1,
                             a: ConstFloatPointer, lda: Int,
                             b: ConstFloatPointer, ldb: Int,
                             beta: Float = 0,
                             c: FloatPointer, ldc: Int) {
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let aip = transA == .none ? a[i * lda + p] : a[p * lda + i]
                    let bpj = transB == .none ? b[p * ldb + j] : b[j * ldb + p]
                    sum += Double(aip) * Double(bpj)
                }
                let previous = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
                c[i * ldc + j] = Float(Double(alpha) * sum + previous)
            }
        }
    }

    /// When set, every product adds its operations to `countedFlops`. For tests that
    /// audit `StepCost`; run them single-threaded, as the count is not synchronised.
    nonisolated(unsafe) public static var countsFlops = false
    nonisolated(unsafe) public static var countedFlops = 0.0

    /// Floating-point operations of one product: 2·m·n·k.
    public static func flops(m: Int, n: Int, k: Int) -> Double { 2 * Double(m) * Double(n) * Double(k) }
}
