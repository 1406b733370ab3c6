import CNCursesW
import Diffusion
import Foundation
import TextUI

/// The workbench's main loop, on the main thread: it owns the screen and the keyboard,
/// applies the session's events to the state, and draws at most ten frames a second.
public final class WorkbenchApp {
    /// What to open at start.
    public enum Opening {
        case start(RunPlan, runPath: String)
        case resume(String)
        case browse(String)
    }

    public let session: Session
    private var state = WorkbenchState()
    private var view = ViewState()
    private let handler: KeyHandler
    private let themesFolder: String
    private var theme: Theme
    private let ascii: Bool
    private static let frameInterval = 0.1
    /// Seconds each frame took to render and copy to the terminal (reported in the log at exit).
    private var frameSeconds: [Double] = []

    public init(session: Session, theme: Theme, themesFolder: String, ascii: Bool) {
        self.session = session
        self.theme = theme
        self.themesFolder = themesFolder
        self.ascii = ascii
        handler = KeyHandler(runsFolder: session.runsFolder, themes: Theme.available(in: themesFolder))
        view.themeName = theme.name
    }

    /// Runs until the user quits or a signal arrives; returns the exit status. The terminal
    /// is restored on every way out.
    public func run(_ opening: Opening) -> Int32 {
        let terminal = Terminal(theme: theme, ascii: ascii)
        TerminalGuard.install()
        let signals = SignalFlag([SIGINT, SIGTERM, SIGHUP])
        defer { terminal.close() }
        session.refreshRuns()
        switch opening {
        case .start(let plan, let path): session.start(plan, runPath: path)
        case .resume(let path): session.resume(runPath: path)
        case .browse(let path): session.browse(runPath: path)
        }
        var lastFrame = 0.0, dirty = true
        while true {
            if let key = terminal.readKey() {
                if key == .resize { terminal.invalidate() }
                if let action = handler.handle(key, state, &view) {
                    if case .quit(let checkpoint) = action {
                        leave(terminal, checkpoint: checkpoint)
                        return 0
                    }
                    perform(action, terminal)
                }
                dirty = true
            }
            for event in session.inbox.drain() {
                if case .opened(let path, _, _, _) = event { Self.redirectStandardError(to: path + "/workbench.log") }
                state.apply(event)
                dirty = true
            }
            if let signal = signals.raised {
                leave(terminal, checkpoint: true)
                return 128 + signal
            }
            let now = ProcessInfo.processInfo.systemUptime
            if now - lastFrame >= 1 { dirty = true }  // clocks and "ago" times
            if dirty && now - lastFrame >= Self.frameInterval {
                let (width, height) = terminal.size
                terminal.draw(WorkbenchView.render(state, view, width: width, height: height, glyphs: terminal.glyphs))
                frameSeconds.append(ProcessInfo.processInfo.systemUptime - now)
                lastFrame = now
                dirty = false
            }
        }
    }

    /// Sends standard error (warnings, the frame summary) to `path`, appending, so nothing
    /// is printed behind the screen's back.
    public static func redirectStandardError(to path: String) {
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path) else { return }
        handle.seekToEndOfFile()
        dup2(handle.fileDescriptor, STDERR_FILENO)
    }

    private func perform(_ action: Action, _ terminal: Terminal) {
        switch action {
        case .quit: break
        case .send(let command): session.send(command)
        case .sample(let cells, let settings, let labels, let guidance):
            session.sample(cells: cells, settings: settings, labels: labels, guidance: guidance)
        case .evaluate: session.evaluate()
        case .writeReport(let paths):
            session.writeReport(paths, theme: (try? Theme.load("light", from: themesFolder)) ?? theme)
        case .newRun(let plan, let path):
            show("stopping \(state.runName) (writing a checkpoint)…", terminal)
            session.close(checkpoint: true)
            session.start(plan, runPath: path)
        case .resume(let path):
            show("stopping \(state.runName) (writing a checkpoint)…", terminal)
            session.close(checkpoint: true)
            session.resume(runPath: path)
        case .browse(let path):
            session.close(checkpoint: true)
            session.browse(runPath: path)
        case .setTheme(let name):
            do {
                theme = try Theme.load(name, from: themesFolder)
                terminal.applyTheme(theme)
            } catch {
                state.apply(.message("\(error)", isError: true))
            }
        }
    }

    /// Shows a message at once (before something slow).
    private func show(_ message: String, _ terminal: Terminal) {
        state.apply(.message(message, isError: false))
        let (width, height) = terminal.size
        terminal.draw(WorkbenchView.render(state, view, width: width, height: height, glyphs: terminal.glyphs))
    }

    private func leave(_ terminal: Terminal, checkpoint: Bool) {
        if session.hasTrainer && checkpoint { show("writing a checkpoint before quitting…", terminal) }
        session.close(checkpoint: checkpoint)
        let sorted = frameSeconds.sorted()
        if !sorted.isEmpty {
            let line = String(format: "workbench: %d frames, render and draw median %.2f ms, 95th percentile %.2f ms, max %.2f ms\n",
                              sorted.count, 1000 * sorted[sorted.count / 2], 1000 * sorted[sorted.count * 95 / 100],
                              1000 * sorted.last!)
            FileHandle.standardError.write(Data(line.utf8))
        }
    }
}

/// Signals turned into a flag the main loop polls (it wakes every 100 ms).
final class SignalFlag: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private let lock = NSLock()
    private var value: Int32?

    init(_ signals: [Int32]) {
        for s in signals {
            signal(s, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: s, queue: .global())
            source.setEventHandler { [weak self] in self?.lock.withLock { self?.value = s } }
            source.resume()
            sources.append(source)
        }
    }

    var raised: Int32? { lock.withLock { value } }

    deinit { sources.forEach { $0.cancel() } }
}

/// On a crash, the terminal is given back before the process dies.
enum TerminalGuard {
    static func install() {
        for s in [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE] {
            signal(s) { received in
                endwin()
                signal(received, SIG_DFL)
                raise(received)
            }
        }
    }
}
