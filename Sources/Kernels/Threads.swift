import CBLAS
import Foundation

/// How many cores the engine uses. The engine has one thread pool, its own: OpenBLAS
/// always runs single-threaded inside it, and `Matmul` and `Parallel` split work into
/// `count` pieces. (Two pools on two cores fight: OpenBLAS's idle workers spin.)
public enum Threads {
    /// The current thread count (at least 1).
    public private(set) static var count: Int = {
        openblas_set_num_threads(1)
        return max(1, min(ProcessInfo.processInfo.activeProcessorCount, 64))
    }()

    /// Sets the thread count for `Matmul` and `Parallel` (not while work is running).
    public static func configure(_ threads: Int) {
        openblas_set_num_threads(1)
        count = max(1, threads)
        if pool.size != count { pool = WorkerPool(size: count) }
    }

    /// The persistent workers. A replaced pool's threads stay parked for the process's life.
    nonisolated(unsafe) static var pool = WorkerPool(size: count)

    /// The number of processors this machine reports.
    public static var available: Int { ProcessInfo.processInfo.activeProcessorCount }
}
