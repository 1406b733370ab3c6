import Foundation

/// A time limit on libhdf5 calls that HDF5 itself does not bound. A damaged global heap
/// (an object of size zero) makes HDF5 1.10 loop for ever inside the read of a
/// variable-length string (docs/reliability.md, fuzz finding 4). No HDF5 call interrupts
/// it, and unwinding out of the library would leave its state broken, so a guarded read
/// that has not returned after `seconds` ends the process: one line on stderr naming the
/// file and what was being read, and exit status 2, bad input. The guarded reads are the
/// variable-length strings, which take well under a second even for millions of names.
/// The limit is 30 s, or `WBDIT_HDF5_DEADLINE` seconds (for a slow network file system).
enum HDF5Deadline {
    static let seconds: Double = {
        guard let text = ProcessInfo.processInfo.environment["WBDIT_HDF5_DEADLINE"], let value = Double(text),
              value.isFinite, value > 0 else { return 30 }
        return value
    }()

    /// Runs `body`; when it takes longer than `seconds`, the process ends as described.
    static func run<T>(reading what: String, in path: String, _ body: () throws -> T) rethrows -> T {
        #if WBDIT_FUZZ
        // Under libFuzzer, its own -timeout reports the hang with the input that caused it.
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
