import ArgumentParser
import Foundation
import Kernels
import Storage

/// The `wbdit` command: the engine, headless.
struct WBDit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wbdit",
        abstract: "White-box diffusion transformers for single-cell RNA-seq, on the CPU.",
        discussion: """
        Trains and runs the White-Box Diffusion Transformer (MSSA attention and one ISTA \
        sparse-coding step per block) and its DiT baseline. Checkpoints are safetensors \
        files with the reference PyTorch implementation's tensor names.

        With no command it opens the terminal workbench (wbdit tui).

        Exit status: 0 done; 1 a run or a write that failed (a NaN loss, a full disk, a \
        trainer that died); 2 bad input (flags, files, run directories), with one line on stderr \
        naming it; 130 interrupted by Ctrl-C, 143 by SIGTERM, 129 by SIGHUP \
        (training writes a checkpoint first; a file half-written is deleted).

        Example:
          wbdit bench --arch wbdit --hidden 256 --depth 3 --heads 8 --batch 16 --steps 10
        """,
        version: Version.string,
        subcommands: [TUI.self, Train.self, Sample.self, Eval.self, ReportCommand.self, TSNECommand.self, Prep.self, Info.self, Inspect.self, Forward.self, Grad.self, Bench.self],
        defaultSubcommand: TUI.self
    )
}

/// The software version recorded in files this tool writes.
enum Version {
    static let string = "0.1.0"
}

/// Bad input found by the command line itself. Errors thrown by the libraries below
/// (HDF5Error, CheckpointError, TrainingError, …) need no wrapping: `runAndExit` prints
/// any error as one line with exit status 2 (1 for a `TrainingFailure`, or a `FileWriteError`
/// where the device failed).
struct InputError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension WBDit {
    /// Parses and runs a command. Help and version exit 0; every failure prints one line on
    /// stderr and exits 1 when a run or a write failed (`TrainingFailure`: a NaN loss, a
    /// trainer that died; a `FileWriteError` where the device failed: a full disk), 2 for bad
    /// input (an output path that cannot be written included) — ours or the parser's — and 128 + the signal
    /// after Ctrl-C or SIGTERM (`Interrupts`).
    static func runAndExit() -> Never {
        do {
            var command = try parseAsRoot()
            if !(command is TUI) { Interrupts.install() }
            try command.run()
            Foundation.exit(0)
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            if exitCode(for: error) == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            let line = message(for: error).split(whereSeparator: \.isNewline).joined(separator: " ")
            FileHandle.standardError.write(Data("wbdit: error: \(line)\(negativeNumberHint(line))\n".utf8))
            Foundation.exit(error is TrainingFailure || (error as? FileWriteError)?.deviceFailed == true ? 1 : 2)
        }
    }

    /// The parser reads `--n -1` as a flag `-1` and reports the value missing; when the
    /// argument after the option is a negative number, say how to pass it.
    private static func negativeNumberHint(_ line: String) -> String {
        guard line.hasPrefix("Missing value for '--"), let option = line.dropFirst(19).split(separator: " ").first else { return "" }
        let arguments = CommandLine.arguments
        guard let i = arguments.firstIndex(of: String(option)), i + 1 < arguments.count,
              arguments[i + 1].hasPrefix("-"), Double(arguments[i + 1]) != nil else { return "" }
        return " (a negative number is written \(option)=\(arguments[i + 1]))"
    }
}
