import Dispatch

/// Splits elementwise work across `Threads.count` cores.
///
/// Chunks are a pure function of the range and the thread count, so results
/// (including reductions done per chunk and combined in order) are identical
/// from run to run at the same thread count. Closures are non-escaping, so a
/// call allocates nothing on the heap.
public enum Parallel {
    /// Work below this many scalar operations runs on the calling thread.
    public static let minimumWork = 1 << 15

    /// Calls `body` on disjoint, contiguous sub-ranges of `0..<count` that cover it.
    /// `work` is an estimate of scalar operations per index.
    @inline(__always)
    public static func forEach(_ count: Int, work: Int = 1, _ body: (Range<Int>) -> Void) {
        let threads = Threads.count
        if threads == 1 || count < 2 || count * work < minimumWork {
            body(0..<count)
            return
        }
        split(count, body)
    }

    /// Calls `body` on min(`Threads.count`, count) contiguous pieces of `0..<count` at once.
    @inline(__always)
    public static func split(_ count: Int, _ body: (Range<Int>) -> Void) {
        let chunks = min(Threads.count, count)
        if chunks <= 1 { body(0..<count); return }
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            body(range(chunk, of: chunks, total: count))
        }
    }

    /// The `chunk`-th of `chunks` near-equal contiguous pieces of `0..<total`.
    @inline(__always)
    public static func range(_ chunk: Int, of chunks: Int, total: Int) -> Range<Int> {
        let base = total / chunks, extra = total % chunks
        let start = chunk * base + min(chunk, extra)
        return start..<(start + base + (chunk < extra ? 1 : 0))
    }
}
