import ArgumentParser
import Foundation
import Storage
import Networks
import Report
import TextUI

/// `wbdit report`: the figures of one run, or of several side by side, as one HTML page.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a run's figures — or several runs' side by side — as one self-contained HTML page.",
        discussion: """
        Per run: the loss (raw and smoothed, log scale) and learning rate; coding rate and \
        sparsity per layer over training and by depth; the t-SNE map of held-out and \
        generated cells, by source and by type; generated against real gene means, \
        variances and zero fractions; the evaluation `wbdit eval --run` wrote, each \
        figure beside its floor and target; the configuration, data provenance, step time \
        and peak memory. With several runs, a comparison table and their maps side by \
        side come first. The page has inline SVG and CSS only: it opens offline and prints.

        Examples:
          wbdit report --run runs/demo --out report.html
          wbdit report --run runs/wbdit-small-1 --run runs/dit-small-1 --labels level1 --out comparison.html
        """
    )

    @Option(name: .customLong("run"), help: "A run directory (repeat for a comparison).")
    var runs: [String] = []
    @Option(help: "Where to write the page (.html).")
    var out: String = "report.html"
    @Option(help: "Colour theme from themes/ (light prints best).")
    var theme = "light"
    @Option(name: .customLong("map-cells"), help: "At most this many held-out and generated cells each on a map.")
    var mapCells = 1500
    @Option(help: "An obs column of cell types to colour the map by (default: each run's --stratify column).")
    var labels: String?

    func run() throws {
        guard !runs.isEmpty else { throw InputError("give at least one --run") }
        let lower = out.lowercased()
        guard lower.hasSuffix(".html") || lower.hasSuffix(".htm") else { throw InputError("--out must name an .html file (got \(out))") }
        guard (10...20000).contains(mapCells) else { throw InputError("--map-cells must be between 10 and 20000 (got \(mapCells))") }
        let chosen = try Theme.load(theme, from: TUI.themesFolder())
        let progress = ProgressLine()
        let reports = try runs.map { path -> RunReport in
            progress.update("reading \(path)")
            return try RunReport(run: path, mapCells: mapCells, labels: labels)
        }
        progress.finish()
        try AtomicFile.write(Data(HTMLReport(runs: reports, theme: chosen).html.utf8), to: out)
        print("wrote \(out): \(reports.count) run\(reports.count == 1 ? "" : "s")")
    }
}
