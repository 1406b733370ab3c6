import Foundation

/// Events posted from any thread, taken by the UI thread once per frame.
public final class Inbox: @unchecked Sendable {
    private var pending: [WorkbenchEvent] = []
    private let lock = NSLock()

    public init() {}

    public func post(_ event: WorkbenchEvent) {
        lock.lock()
        pending.append(event)
        lock.unlock()
    }

    /// Everything posted since the last call, in order.
    public func drain() -> [WorkbenchEvent] {
        lock.lock()
        defer { lock.unlock() }
        let events = pending
        pending.removeAll(keepingCapacity: true)
        return events
    }
}
