/// Splits work across `Threads.count` cores.
///
/// Called outside a pool job, `split` starts one for the loop. Called inside one
/// (`Parallel.team`), where every thread runs the same code, each thread takes its own
/// share and all meet at a barrier afterwards (or, with `then: .nowait`, go straight on
/// to work that does not depend on it, up to the next `barrier()`); `single` runs serial
/// work once.
///
/// Chunks are a pure function of the range and the thread count, so results
/// (including reductions done per chunk and combined in order) are identical from run
/// to run at the same thread count. Closures are non-escaping and the pool's threads
/// persist, so work inside a team allocates nothing on the heap.
public enum Parallel {
    /// Outside a team, work below this many scalar operations is not split (starting the
    /// pool's threads would cost more). Inside one, everything is: a thread's share of a
    /// split ends at the same barrier that `single` would.
    public static let minimumWork = 1 << 15

    /// What the threads of a team do once their share of a call is done.
    public enum After {
        /// Meet at a barrier: every share's results are visible when the call returns.
        case barrier
        /// Go straight on, as OpenMP's `nowait`: until the next `barrier()`, the work that
        /// follows must neither read this call's results nor overwrite what it reads.
        case nowait
    }

    /// Runs `job(rank)` on every thread at once; inside it, `split`, `forEach`, `single` and
    /// `Matmul.gemm` share work by rank. Pass a stored closure: the call allocates nothing.
    public static func team(_ job: @escaping (_ rank: Int) -> Void) {
        precondition(TeamRank.current == nil, "Parallel.team inside a team")
        let pool = Threads.pool
        if pool.size == 1 { TeamRank.enter(0); job(0); TeamRank.leave(); return }
        pool.execute(job)
    }

    /// Calls `body` on disjoint, contiguous sub-ranges of `0..<count` that cover it, split
    /// across cores inside a team, and outside one when the work (`work` scalar operations
    /// per index) reaches `minimumWork`.
    @inline(__always)
    public static func forEach(_ count: Int, work: Int = 1, then after: After = .barrier,
                               _ body: (Range<Int>) -> Void) {
        if Threads.count == 1 || count < 2 || (!isInTeam && count * work < minimumWork) {
            single(then: after) { body(0..<count) }
        } else {
            split(count, then: after, body)
        }
    }

    /// Calls `body` on min(`Threads.count`, count) contiguous pieces of `0..<count` at once.
    @inline(__always)
    public static func split(_ count: Int, then after: After = .barrier, _ body: (Range<Int>) -> Void) {
        splitIndexed(count, then: after) { _, range in body(range) }
    }

    /// Σ body(piece) over the pieces of `split(count)`, added in piece order, so the total
    /// is the same on every run at a given thread count. `partials` holds `Threads.count`
    /// doubles. Inside a team every thread gets the total.
    @inline(__always)
    public static func sum(_ count: Int, partials: UnsafeMutablePointer<Double>,
                           _ body: (Range<Int>) -> Double) -> Double {
        splitIndexed(count) { piece, range in partials[piece] = body(range) }
        var total = 0.0
        for piece in 0..<min(Threads.pool.size, max(count, 1)) { total += partials[piece] }
        return total
    }

    @inline(__always)
    static func splitIndexed(_ count: Int, then after: After = .barrier,
                             _ body: (_ piece: Int, Range<Int>) -> Void) {
        let pool = Threads.pool
        let chunks = min(pool.size, count)
        if let rank = TeamRank.current {
            if rank < chunks { body(rank, range(rank, of: chunks, total: count)) }
            if after == .barrier { pool.barrier() }
        } else if chunks <= 1 {
            body(0, 0..<count)
        } else {
            pool.execute(nonEscaping: { rank in
                if rank < chunks { body(rank, range(rank, of: chunks, total: count)) }
            })
        }
    }

    /// Runs serial work once: inside a team on rank `rank` (`lastRank` when the team is
    /// smaller; the others wait, unless `.nowait`, so that two pieces of serial work with
    /// `.nowait` between them can run side by side), directly outside.
    @inline(__always)
    public static func single(on rank: Int = 0, then after: After = .barrier, _ body: () -> Void) {
        guard let current = TeamRank.current else { body(); return }
        if current == min(rank, lastRank) { body() }
        if after == .barrier { Threads.pool.barrier() }
    }

    /// The team's highest rank (0 on one thread): serial work sent there runs beside rank 0's.
    public static var lastRank: Int { Threads.pool.size - 1 }

    /// Inside a team, waits for every thread (the end of a run of `.nowait` calls);
    /// outside one, where every call has already finished, does nothing.
    @inline(__always)
    public static func barrier() {
        if TeamRank.current != nil { Threads.pool.barrier() }
    }

    /// True on a thread that is running a team job.
    public static var isInTeam: Bool { TeamRank.current != nil }

    /// The `chunk`-th of `chunks` near-equal contiguous pieces of `0..<total`.
    @inline(__always)
    public static func range(_ chunk: Int, of chunks: Int, total: Int) -> Range<Int> {
        let base = total / chunks, extra = total % chunks
        let start = chunk * base + min(chunk, extra)
        return start..<(start + base + (chunk < extra ? 1 : 0))
    }
}
