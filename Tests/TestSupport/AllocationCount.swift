import AllocationCounter
import Kernels

/// The heap allocations `body` makes on the calling thread and the engine's worker
/// threads, the ones a training step runs on.
public func allocations(_ body: () throws -> Void) rethrows -> Int {
    let watch: (Int32) -> Void = { on in
        allocation_counter_watch_this_thread(on)
        Parallel.team { _ in allocation_counter_watch_this_thread(on) }
    }
    watch(1)
    defer { watch(0) }
    allocation_counter_start()
    try body()
    return allocation_counter_stop()
}
