import CBLAS

/// How many cores the engine uses: OpenBLAS's thread pool and our own
/// elementwise splits follow the same number.
public enum Threads {
    /// The current thread count (at least 1).
    public private(set) static var count: Int = max(1, Int(openblas_get_num_threads()))

    /// Sets the thread count for BLAS and for `Parallel`.
    public static func configure(_ threads: Int) {
        count = max(1, threads)
        openblas_set_num_threads(Int32(count))
    }

    /// The number of processors this machine reports.
    public static var available: Int { Int(openblas_get_num_procs()) }
}

extension Threads {
    /// Runs `body` with OpenBLAS limited to one thread, for callers that split many
    /// small products across cores themselves (per-head attention), then restores
    /// the pool. Splitting heads beats letting OpenBLAS thread each small call.
    @inline(__always)
    public static func withSingleThreadedBLAS(_ body: () -> Void) {
        if count == 1 { body(); return }
        openblas_set_num_threads(1)
        body()
        openblas_set_num_threads(Int32(count))
    }
}
