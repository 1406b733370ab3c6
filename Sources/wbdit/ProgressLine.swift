import Foundation

/// Progress on stderr: one line rewritten in place on a terminal, plain lines
/// (one every `interval` seconds, the first after `interval`, so short work stays
/// quiet) when stderr is a file or a pipe.
final class ProgressLine {
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private let interval: Double
    private var lastPlain = ProcessInfo.processInfo.systemUptime
    private var drawn = false

    init(plainInterval interval: Double = 5) { self.interval = interval }

    func update(_ text: String, now: Double = ProcessInfo.processInfo.systemUptime) {
        if isTerminal {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
            drawn = true
        } else if now - lastPlain >= interval {
            FileHandle.standardError.write(Data("\(text)\n".utf8))
            lastPlain = now
        }
    }

    /// Clears the in-place line so that what follows starts on a clean line.
    func finish() {
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        drawn = false
    }
}
