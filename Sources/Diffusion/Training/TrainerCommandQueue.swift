import Foundation

/// Commands waiting for the trainer, in the order they were sent. Any thread may push;
/// only the trainer's thread pops.
final class TrainerCommandQueue: @unchecked Sendable {
    private var pending: [TrainerCommand] = []
    private let lock = NSLock()
    private let available = DispatchSemaphore(value: 0)

    func push(_ command: TrainerCommand) {
        lock.lock()
        pending.append(command)
        lock.unlock()
        available.signal()
    }

    /// The next command, or nil at once when none is waiting.
    func pop() -> TrainerCommand? {
        guard available.wait(timeout: .now()) == .success else { return nil }
        return removeFirst()
    }

    /// The next command, waiting for one to be sent.
    func waitForNext() -> TrainerCommand {
        available.wait()
        return removeFirst()
    }

    private func removeFirst() -> TrainerCommand {
        lock.lock()
        defer { lock.unlock() }
        return pending.removeFirst()
    }
}
