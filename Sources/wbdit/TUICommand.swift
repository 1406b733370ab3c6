import ArgumentParser
import CellData
import Diffusion
import Foundation
import Networks
import Storage
import TextUI
import Workbench

/// `wbdit tui` (and `wbdit` alone): the terminal workbench.
struct TUI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tui",
        abstract: "The terminal workbench: train in the background and watch the loss, the layers and the cells.",
        discussion: """
        With no options it trains the white-box model (preset small) on the bundled Zeisel \
        sample in a new directory under runs/. Screens: 1 Train, 2 Layers, 3 Cells, \
        4 Samples, 5 Compare, 6 Help (? shows every key). q quits, writing a checkpoint \
        first. Logs go to the run's workbench.log.

        Examples:
          wbdit
          wbdit tui --arch dit --preset tiny
          wbdit tui --data cells.h5ad --stratify cell_type
          wbdit tui --run runs/wbdit-small-1            # reopen a finished run, read-only
          wbdit tui --run runs/wbdit-small-1 --resume   # continue it
        """
    )

    @Option(help: "Training cells (.h5ad, 10x folder, .csv/.tsv or .npy).")
    var data = KeyHandler.sampleData
    @Option(help: "Architecture: wbdit (white-box) or dit (baseline).")
    var arch: Architecture = .whiteBox
    @Option(help: "Network and optimisation preset: \(TrainingPreset.allCases.map(\.rawValue).joined(separator: ", ")).")
    var preset: TrainingPreset = .small
    @Option(help: "How to train: \(TrainingRecipe.allCases.map { "\($0.rawValue) (\($0.summary))" }.joined(separator: "; ")).")
    var recipe: TrainingRecipe = .fast
    @Option(help: "Training steps (default: with --time-budget, the steps that fit it, timed on this machine; otherwise the preset's).")
    var steps: Int?
    @Option(name: .customLong("time-budget"), help: "Stop training, with a checkpoint, after this many seconds.")
    var timeBudget: Double?
    @Option(help: "An obs column (cell type) to stratify the held-out cells by and colour the map with (default: cell_type or level1 when the data has one).")
    var stratify: String?
    @Option(name: .customLong("run"), help: "A run directory: reopened read-only when it exists (or continued with --resume), created otherwise.")
    var runPath: String?
    @Flag(help: "With --run: continue the run from its latest checkpoint.")
    var resume = false
    @Option(name: .customLong("runs"), help: "The folder of runs (new runs, the Compare screen, the log).")
    var runsFolder = "runs"
    @Option(help: "Colour theme: a name from themes/ (dark, light, high-contrast, monochrome).")
    var theme = "dark"
    @Flag(help: "Draw with plain ASCII (no braille or box characters).")
    var ascii = false
    @Option(help: "Threads for training (default: all cores).")
    var threads: Int?

    func run() throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw InputError("the workbench needs a terminal; for scripts use wbdit train, sample and eval")
        }
        let themesFolder = Self.themesFolder()
        let chosenTheme = try Theme.load(ProcessInfo.processInfo.environment["NO_COLOR"].map { $0.isEmpty ? theme : "monochrome" } ?? theme,
                                         from: themesFolder)
        try Folder.create(runsFolder)
        let opening = try self.opening()
        // Nothing may print behind the screen's back: stderr goes to runs/workbench.log until
        // a run opens, then to that run's workbench.log.
        WorkbenchApp.redirectStandardError(to: runsFolder + "/workbench.log")
        let session = Session(runsFolder: runsFolder)
        let app = WorkbenchApp(session: session, theme: chosenTheme, themesFolder: themesFolder, ascii: ascii)
        let status = app.run(opening)
        if status != 0 { throw ExitCode(status) }
    }

    /// What to open, checked before the screen opens so mistakes are plain one-line errors.
    func opening() throws -> WorkbenchApp.Opening {
        if let runPath, FileManager.default.fileExists(atPath: runPath + "/config.json") {
            _ = try RunDirectory.open(runPath)
            return resume ? .resume(runPath) : .browse(runPath)
        }
        if resume { throw InputError("--resume needs --run with an existing run directory") }
        if let runPath, FileManager.default.fileExists(atPath: runPath),
           (try? FileManager.default.contentsOfDirectory(atPath: runPath))?.isEmpty != true {
            throw InputError("--run \(runPath) is not a run directory, and a new run needs a path that is free (or an empty folder)")
        }
        guard FileManager.default.fileExists(atPath: data) else { throw InputError("no file \(data)") }
        var plan = try preset.plan(data: data, architecture: arch, recipe: recipe)
        if let steps {
            guard steps >= 1 else { throw InputError("--steps must be at least 1 (got \(steps))") }
            plan.totalSteps = steps
        }
        plan.stratifyBy = stratify
        plan.threads = threads
        plan.timeBudgetSeconds = timeBudget
        plan.stepsFromBudget = steps == nil && timeBudget != nil
        plan.softwareVersion = Version.string
        try plan.validate()
        let path = runPath ?? RunCatalogue.freshPath(in: runsFolder, name: "\(arch.rawValue)-\(preset.rawValue)")
        return .start(plan, runPath: path)
    }


    /// `themes/` in the working directory, else beside the checkout the binary was built in.
    static func themesFolder() -> String {
        if FileManager.default.fileExists(atPath: "themes") { return "themes" }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        return executable.deletingLastPathComponent().appendingPathComponent("../../../themes").standardized.path
    }
}

extension TrainingPreset: ExpressibleByArgument {}
extension TrainingRecipe: ExpressibleByArgument {}
