import Dispatch
import Foundation
import Synchronization

/// The engine's thread pool: one persistent thread per extra core, started once.
///
/// A job runs on every thread of the pool at once (rank 0 is the caller), in the
/// manner of an OpenMP parallel region: inside it, `Parallel` gives each rank its
/// share of a loop and ends with `barrier()`. A job passed as a stored closure runs
/// without any heap allocation, which keeps the training step allocation-free.
///
/// Between jobs a worker spins for up to `spinBeforeSleeping` before it sleeps on its
/// semaphore, as OpenMP's runtimes do: jobs come one a training step or sampling pass, and
/// one a loop in one-off passes, with little in between, and under a hypervisor a sleeping
/// core takes tens of microseconds to wake.
final class WorkerPool: @unchecked Sendable {
    /// Workers plus the calling thread.
    let size: Int
    private let lock = NSLock()
    private var job: ((Int) -> Void)?
    /// The precision of the caller's products, which the workers take on for its job.
    private var jobPrecision = ProductPrecision.float32
    private let sleepers: [Sleeper]

    /// Jobs started so far: a worker that sees it change runs the new job.
    private let started = Atomic<Int>(0)
    /// Workers still running the current job.
    private let running = Atomic<Int>(0)

    // Barrier state: arrivals in the current phase, and the phase number.
    private let arrived = Atomic<Int>(0)
    private let phase = Atomic<Int>(0)

    /// How long an idle worker keeps looking for the next job before it sleeps.
    static let spinBeforeSleeping: UInt64 = 1_000_000   // nanoseconds

    /// A worker's way to sleep: its semaphore, and whether it is (about to be) waiting on it.
    private final class Sleeper: Sendable {
        let semaphore = DispatchSemaphore(value: 0)
        let asleep = Atomic<Bool>(false)
    }

    init(size: Int) {
        self.size = max(1, size)
        sleepers = (1..<max(1, size)).map { _ in Sleeper() }
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
        jobPrecision = ProductPrecision.current
        running.store(size - 1, ordering: .relaxed)
        started.wrappingAdd(1, ordering: .sequentiallyConsistent)
        for worker in 0..<sleepers.count {   // by index: an unoptimised array iterator allocates
            let sleeper = sleepers[worker]
            if sleeper.asleep.exchange(false, ordering: .sequentiallyConsistent) { sleeper.semaphore.signal() }
        }
        TeamRank.enter(0)
        job(0)
        TeamRank.leave()
        spin { running.load(ordering: .acquiring) == 0 }
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
        spin { phase.load(ordering: .acquiring) != current }
    }

    /// Polls `done` until it holds (true) or, given a `deadline` (uptime, nanoseconds), until
    /// that has passed (false), yielding the core after the first few hundred polls.
    @inline(__always)
    @discardableResult
    private func spin(until done: () -> Bool, deadline: UInt64 = .max) -> Bool {
        var spins = 0
        while !done() {
            spins += 1
            if spins > 256 {
                if deadline != .max && DispatchTime.now().uptimeNanoseconds > deadline { return false }
                sched_yield()
            }
        }
        return true
    }

    private func serve(_ worker: Int) -> Never {
        let sleeper = sleepers[worker - 1]
        var seen = 0
        while true {
            seen = nextJob(after: seen, sleeper)
            TeamRank.enter(worker)
            ProductPrecision.enter(jobPrecision)
            job!(worker)
            ProductPrecision.enter(.float32)
            TeamRank.leave()
            running.wrappingSubtract(1, ordering: .releasing)
        }
    }

    /// Waits for a job after the `seen`-th: spinning for a while, then asleep. The flag is
    /// raised before `started` is read again and `execute` moves `started` before it clears
    /// flags, so either the worker sees the job or `execute` sees the flag and wakes it.
    private func nextJob(after seen: Int, _ sleeper: Sleeper) -> Int {
        let deadline = DispatchTime.now().uptimeNanoseconds + Self.spinBeforeSleeping
        if spin(until: { started.load(ordering: .acquiring) != seen }, deadline: deadline) {
            return started.load(ordering: .acquiring)
        }
        sleeper.asleep.store(true, ordering: .sequentiallyConsistent)
        if started.load(ordering: .sequentiallyConsistent) == seen
            || !sleeper.asleep.compareExchange(expected: true, desired: false,
                                               ordering: .sequentiallyConsistent).exchanged {
            // Asleep until `execute` clears the flag and signals (or has already done both).
            sleeper.semaphore.wait()
        }
        return started.load(ordering: .acquiring)
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
