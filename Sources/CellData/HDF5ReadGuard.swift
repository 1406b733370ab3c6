import CHDF5
import CSignalGuard
import Foundation

/// What libhdf5 does not guard against itself. On some damaged files HDF5 1.10 reads out
/// of bounds, and on some damaged global heaps it loops for ever inside the read of a
/// variable-length string (docs/reliability.md, fuzz findings 4 and 8). No HDF5 call
/// interrupts a read, and unwinding out of the library would leave its state broken, so
/// every call `HDF5File` makes runs guarded: a fault (SIGSEGV, SIGBUS) on its thread ends
/// the process with one line on stderr naming the file and what was being read, and exit
/// status 2, bad input. The variable-length string reads, which take well under a second
/// even for millions of names, also have a deadline with the same ending: 30 s, or
/// `WBDIT_HDF5_DEADLINE` seconds (for a slow network file system).
enum HDF5ReadGuard {
    static let seconds: Double = {
        guard let text = ProcessInfo.processInfo.environment["WBDIT_HDF5_DEADLINE"], let value = Double(text),
              value.isFinite, value > 0 else { return 30 }
        return value
    }()

    /// Runs `body`, a call into libhdf5 on the file at `path`, with its faults contained.
    static func guarded<T>(reading what: String, in path: String, _ body: () throws -> T) rethrows -> T {
        // libhdf5's error printing is switched per thread: a streamed file is read on others.
        wbdit_h5_silence()
        #if WBDIT_FUZZ
        // Under libFuzzer, AddressSanitizer reports the input that caused it.
        return try body()
        #else
        let fault = "wbdit: error: \(path): libhdf5 faulted reading \(what); the file is damaged\n"
        fault.withCString { wbdit_signal_guard_begin($0, fault.utf8.count) }
        defer { wbdit_signal_guard_end() }
        return try body()
        #endif
    }

    /// Runs `body` with its faults contained and under the deadline: the variable-length
    /// string reads, where HDF5 can also loop.
    static func guardedWithDeadline<T>(reading what: String, in path: String, _ body: () throws -> T) rethrows -> T {
        #if WBDIT_FUZZ
        // Under libFuzzer, its own -timeout reports the input that caused it.
        return try body()
        #else
        let watch = Watch()
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
            guard watch.expire() else { return }
            let line = "wbdit: error: \(path): libhdf5 did not finish reading \(what) in \(String(format: "%g", seconds)) s; "
                + "the file is damaged (a corrupt global heap makes HDF5 loop)\n"
            FileHandle.standardError.write(Data(line.utf8))
            _exit(2)
        }
        defer { watch.finish() }
        return try guarded(reading: what, in: path, body)
        #endif
    }

    /// Whether the guarded call finished first or the deadline did; whichever comes
    /// second finds the question settled.
    private final class Watch: @unchecked Sendable {
        private let lock = NSLock()
        private var settled = false

        func finish() { lock.withLock { settled = true } }

        /// True when the deadline came first.
        func expire() -> Bool {
            lock.withLock {
                defer { settled = true }
                return !settled
            }
        }
    }
}
