import Dispatch
import Foundation
import Synchronization

/// The engine's thread pool: one persistent thread per extra core, started once.
///
/// A job runs on every thread of the pool at once (rank 0 is the caller), in the
/// manner of an OpenMP parallel region: inside it, `Parallel` gives each rank its
/// share of a loop and ends with `barrier()`. A job passed as a stored closure runs
/// without any heap allocation, which keeps the training step allocation-free.
final class WorkerPool: @unchecked Sendable {
    /// Workers plus the calling thread.
    let size: Int
    private let start: [DispatchSemaphore]
    private let finished = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var job: ((Int) -> Void)?

    // Barrier state: arrivals in the current phase, and the phase number.
    private let arrived = Atomic<Int>(0)
    private let phase = Atomic<Int>(0)

    init(size: Int) {
        self.size = max(1, size)
        start = (1..<max(1, size)).map { _ in DispatchSemaphore(value: 0) }
        for worker in 1..<self.size {
            let thread = Thread { [unowned self] in self.serve(worker) }
            thread.name = "wbdit-worker-\(worker)"
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    /// Runs `job(rank)` on every thread of the pool and returns when all have finished.
    func execute(_ job: @escaping (Int) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        self.job = job
        for worker in 1..<size { start[worker - 1].signal() }
        TeamRank.enter(0)
        job(0)
        TeamRank.leave()
        for _ in 1..<size { finished.wait() }
        self.job = nil
    }

    /// The same for a closure that does not escape (one small allocation per call).
    func execute(nonEscaping job: (Int) -> Void) {
        withoutActuallyEscaping(job) { execute($0) }
    }

    /// Waits until every thread of the pool has reached this point (call only inside a job).
    func barrier() {
        let current = phase.load(ordering: .acquiring)
        if arrived.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue == size {
            arrived.store(0, ordering: .relaxed)
            phase.store(current + 1, ordering: .releasing)
            return
        }
        var spins = 0
        while phase.load(ordering: .acquiring) == current {
            spins += 1
            if spins > 256 { sched_yield() }
        }
    }

    private func serve(_ worker: Int) -> Never {
        while true {
            start[worker - 1].wait()
            TeamRank.enter(worker)
            job!(worker)
            TeamRank.leave()
            finished.signal()
        }
    }
}

/// Which rank of a running pool job the current thread is, kept in thread-local storage.
enum TeamRank {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// The current thread's rank, or nil outside a pool job.
    @inline(__always)
    static var current: Int? {
        let value = Int(bitPattern: pthread_getspecific(key))
        return value == 0 ? nil : value - 1
    }

    static func enter(_ rank: Int) { pthread_setspecific(key, UnsafeRawPointer(bitPattern: rank + 1)) }
    static func leave() { pthread_setspecific(key, nil) }
}
