import Foundation

/// Progress on stderr: one line rewritten in place on a terminal, cut to the terminal's
/// width (a line that wrapped would leave a row behind at every redraw), and plain lines
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
            FileHandle.standardError.write(Data("\r\u{1B}[K\(Self.fitted(text, columns: Self.terminalColumns()))".utf8))
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

    /// `text` cut to leave the last column free (some terminals wrap on writing it).
    static func fitted(_ text: String, columns: Int?) -> String {
        guard let columns, columns >= 2, text.count >= columns else { return text }
        return String(text.prefix(columns - 1))
    }

    /// The width of the terminal on stderr, asked at every redraw so a resize takes effect.
    private static func terminalColumns() -> Int? {
        var size = winsize()
        guard ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }
}
