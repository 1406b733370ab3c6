import Foundation

/// A file being written under a temporary name beside its target (`.NAME.partial-PID`), so
/// that readers see either the old file or the complete new one. `commit()` renames it into
/// place; until then it is listed, and `removeAllPending()` — what an interrupted process
/// calls on its way out — deletes every one still being written. Abandoning one (`discard()`,
/// or dropping it uncommitted) deletes it too.
public final class PartialFile {
    /// Where the finished file goes.
    public let target: String
    /// Where it is written meanwhile.
    public let path: String
    private var pending = true

    public init(target: String) {
        self.target = target
        let directory = (target as NSString).deletingLastPathComponent
        path = (directory.isEmpty ? "." : directory) + "/.\((target as NSString).lastPathComponent).partial-\(getpid())"
        _ = Self.lock.withLock { Self.pendingPaths.insert(path) }
    }

    /// Renames the written file over the target; on failure it is deleted and errno says why.
    public func commit() throws {
        guard pending else { return }
        pending = false
        _ = Self.lock.withLock { Self.pendingPaths.remove(path) }
        guard rename(path, target) == 0 else {
            let reason = errno
            unlink(path)
            errno = reason
            throw FileWriteError(description: "cannot replace \(target): \(String(cString: strerror(reason)))", code: reason)
        }
    }

    /// Links the written file to the target only if no target exists yet — an exclusive
    /// create that is never seen half-written — and returns whether it did; either way the
    /// temporary name is gone. Other failures throw, with errno saying why.
    public func commitExclusively() throws -> Bool {
        guard pending else { return false }
        guard link(path, target) == 0 else {
            let reason = errno
            discard()
            if reason == EEXIST { return false }
            errno = reason
            throw FileWriteError(description: "cannot create \(target): \(String(cString: strerror(reason)))", code: reason)
        }
        discard()
        return true
    }

    /// Deletes the temporary file; the target is left as it was.
    public func discard() {
        guard pending else { return }
        pending = false
        _ = Self.lock.withLock { Self.pendingPaths.remove(path) }
        unlink(path)
    }

    deinit { discard() }

    /// Deletes every partial file this process is still writing. Safe to call from any
    /// thread while the writers run: a writer interrupted this way never commits, because the
    /// process exits next.
    public static func removeAllPending() {
        lock.withLock {
            for path in pendingPaths { unlink(path) }
            pendingPaths.removeAll()
        }
    }

    /// The paths being written.
    nonisolated(unsafe) private static var pendingPaths: Set<String> = []
    private static let lock = NSLock()
}
