import CSignalGuard
import Foundation

/// What libhdf5 does not guard against itself. On some damaged global heaps, HDF5 1.10
/// loops for ever or reads out of bounds inside the read of a variable-length string
/// (docs/reliability.md, fuzz findings 4 and 8). No HDF5 call interrupts a read, and
/// unwinding out of the library would leave its state broken, so a guarded read that
/// faults (SIGSEGV, SIGBUS), or has not returned after `seconds`, ends the process: one
/// line on stderr naming the file and what was being read, and exit status 2, bad input.
/// The guarded reads are the variable-length strings, which take well under a second even
/// for millions of names. The limit is 30 s, or `WBDIT_HDF5_DEADLINE` seconds (for a slow
/// network file system).
enum HDF5ReadGuard {
    static let seconds: Double = {
        guard let text = ProcessInfo.processInfo.environment["WBDIT_HDF5_DEADLINE"], let value = Double(text),
              value.isFinite, value > 0 else { return 30 }
        return value
    }()

    /// Runs `body` under the guard described above.
    static func run<T>(reading what: String, in path: String, _ body: () throws -> T) rethrows -> T {
        #if WBDIT_FUZZ
        // Under libFuzzer, its own -timeout and AddressSanitizer report the input that caused it.
        return try body()
        #else
        let fault = "wbdit: error: \(path): libhdf5 faulted reading \(what); the file is damaged\n"
        fault.withCString { wbdit_signal_guard_begin($0, strlen($0)) }
        let watch = Watch()
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
            guard watch.expire() else { return }
            let line = "wbdit: error: \(path): libhdf5 did not finish reading \(what) in \(String(format: "%g", seconds)) s; "
                + "the file is damaged (a corrupt global heap makes HDF5 loop)\n"
            FileHandle.standardError.write(Data(line.utf8))
            _exit(2)
        }
        defer {
            wbdit_signal_guard_end()
            watch.finish()
        }
        return try body()
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
