import Foundation
import Storage

/// How a command ends on SIGINT, SIGTERM or SIGHUP (Ctrl-C, `kill`, a batch scheduler's
/// stop, a closed terminal). By default at once: the files still being written are deleted
/// (`PartialFile`), so an interrupted `sample` or `prep` leaves nothing behind, and the exit
/// status is 128 + the signal (130 for Ctrl-C, 143 for SIGTERM). A command that can stop
/// cleanly sets `first`: `train` asks its trainer for a checkpoint, and a second signal
/// ends it at once. Installed before any command runs (except the workbench, which takes
/// these signals as a request to quit), so no moment is left to the default action.
enum Interrupts {
    /// Called on the first signal, instead of exiting, when set.
    static var first: (() -> Void)? {
        get { lock.withLock { firstHandler } }
        set { lock.withLock { firstHandler = newValue } }
    }

    /// The first signal received, if any.
    static var received: Int32? { lock.withLock { firstSignal } }

    /// Returns once every source is registered: until then a signal would meet SIG_IGN
    /// and be lost (a Ctrl-C in the first milliseconds of a loaded machine was).
    static func install() {
        let registered = DispatchGroup()
        for number in [SIGINT, SIGTERM, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { arrived(number) }
            registered.enter()
            source.setRegistrationHandler { registered.leave() }
            source.resume()
            sources.append(source)
        }
        _ = registered.wait(timeout: .now() + 2)
    }

    private static func arrived(_ number: Int32) {
        let stop: (() -> Void)? = lock.withLock {
            guard firstSignal == nil else { return nil }
            firstSignal = number
            return firstHandler
        }
        guard let stop else { exitNow(number) }
        let what = number == SIGINT ? "interrupted" : "stopped by signal \(number)"
        FileHandle.standardError.write(Data("\n\(what): writing a checkpoint (Ctrl-C again to quit at once)\n".utf8))
        stop()
    }

    /// Deletes what is half-written and exits without running exit handlers, which would
    /// race the threads still writing.
    private static func exitNow(_ number: Int32) -> Never {
        PartialFile.removeAllPending()
        fflush(stdout)
        _exit(128 + number)
    }

    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    nonisolated(unsafe) private static var firstHandler: (() -> Void)?
    nonisolated(unsafe) private static var firstSignal: Int32?
    private static let lock = NSLock()
}
