import Foundation
import Storage
import Networks

/// The one writer of a run directory: `lock` holds the trainer's host, process id, engine
/// and start time, created exclusively before anything in the run is written (written whole
/// under a temporary name, then linked into place, so no one reads it half-written, even
/// after a Ctrl-C at that moment) and removed when the trainer ends. A second trainer is
/// refused with the holder named; a lock left by a trainer that was killed on this host (its
/// process is gone) is taken over, and the refusal for another host's lock says how to clear it. The PyTorch
/// trainer (`python -m wbdit_torch.train`) takes the same lock.
public final class RunLock: @unchecked Sendable {
    public struct Holder: Codable, Equatable, Sendable {
        public var host: String
        public var pid: Int32
        public var engine: String
        public var started: String

        /// "pid 123 on host-a (wbdit, since 2026-12-02T07:40:00Z)".
        public var description: String { "pid \(pid) on \(host) (\(engine), since \(started))" }
    }

    public let path: String
    private var held = true

    private init(path: String) { self.path = path }

    public static func path(of run: RunDirectory) -> String { run.path + "/lock" }

    /// Who holds the run's lock, if anyone.
    public static func holder(of run: RunDirectory) -> Holder? {
        FileBytes.read(path(of: run)).flatMap { try? JSONDecoder().decode(Holder.self, from: $0) }
    }

    /// Whether a holder on this host is a process that no longer exists.
    public static func isStale(_ holder: Holder) -> Bool {
        holder.host == ProcessInfo.processInfo.hostName && kill(holder.pid, 0) != 0 && errno == ESRCH
    }

    /// Takes the run's lock for this process, or explains in one line who has it.
    public static func acquire(_ run: RunDirectory) throws -> RunLock {
        let lockPath = path(of: run)
        let me = Holder(host: ProcessInfo.processInfo.hostName, pid: getpid(), engine: "wbdit",
                        started: ISO8601DateFormatter().string(from: Date()))
        let bytes = try JSONEncoder().encode(me)
        for _ in 0..<2 {
            let partial = PartialFile(target: lockPath)
            let fd = open(partial.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else { throw TrainingError("cannot create \(lockPath): \(String(cString: strerror(errno)))") }
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
            guard written == bytes.count else { throw TrainingError("cannot write \(lockPath) (disk full?)") }
            do {
                if try partial.commitExclusively() { return RunLock(path: lockPath) }
            } catch {
                throw TrainingError("\(error)")
            }
            guard let holder = holder(of: run) else {
                throw TrainingError("\(run.path) is locked by an unreadable \(lockPath); remove it if no trainer is running")
            }
            if holder.pid == me.pid && holder.host == me.host { return RunLock(path: lockPath) }
            guard isStale(holder) else {
                let clear = holder.host == me.host ? "" : "; if that trainer is gone, remove \(lockPath)"
                throw TrainingError("\(run.path) is being trained by \(holder.description)\(clear)")
            }
            FileHandle.standardError.write(Data("note: \(run.path): taking over the lock of \(holder.description), which no longer runs\n".utf8))
            unlink(lockPath)
        }
        throw TrainingError("cannot take the lock \(lockPath)")
    }

    /// Gives the lock up (once).
    public func release() {
        guard held else { return }
        held = false
        unlink(path)
    }

    deinit { release() }
}
