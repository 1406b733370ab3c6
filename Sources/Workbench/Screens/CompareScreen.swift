import Foundation
import TextUI

/// Screen 5: every run in `runs/` side by side — shape, speed, memory, best loss and the
/// latest evaluation beside its real-vs-real floor — and their loss curves in one chart.
enum CompareScreen {
    static let keys = "↑/↓ select · e evaluate this run · r resume the selected run · 1-6 screens · ? help · q quit"

    /// The evaluation figures shown, by report key.
    static let metrics: [(key: String, title: String)] = [("mmd2_rbf", "MMD²"), ("knn_auc", "kNN AUC"), ("gene_gene_corr_r", "gene r"),
                                                          ("variance_ratio_median", "var ratio"), ("type_accuracy", "type acc")]

    static func draw(_ state: WorkbenchState, _ view: ViewState, into grid: inout TextGrid, _ body: Rect) {
        let tableHeight = min(body.height / 2, max(5, state.runs.count + 4))
        let (tableArea, chartArea) = body.splitTop(tableHeight)
        grid.box(tableArea, title: "Runs in runs/ · \(state.runs.count)")
        let inner = tableArea.inset(1)
        guard !state.runs.isEmpty else {
            grid.text("no runs yet", x: inner.x + 1, y: inner.y, Style(.muted))
            return
        }
        var columns: [(String, Int, (RunSummary) -> String)] = [
            ("run", 16, { $0.name }),
            ("arch", 5, { $0.architecture }),
            ("D/L/H", 9, { $0.shape }),
            ("params", 7, { Self.count($0.parameters) }),
            ("steps", 11, { "\($0.stepsDone)/\($0.totalSteps)" }),
            ("s/step", 7, { $0.secondsPerStep.map { String(format: "%.3f", $0) } ?? "--" }),
            ("cells/s", 7, { $0.cellsPerSecond.map { String(format: "%.0f", $0) } ?? "--" }),
            ("peak MiB", 8, { $0.peakMemoryMiB.map { String(format: "%.0f", $0) } ?? "--" }),
            ("best loss", 9, { $0.bestLoss.map { String(format: "%.4f", $0) } ?? "--" }),
        ]
        for metric in metrics {
            columns.append(("\(metric.title) (floor)", 17, { run in
                guard let m = run.metrics.first(where: { $0.key == metric.key }) else { return "--" }
                return String(format: "%.3g (%.3g)", m.generated, m.floor)
            }))
        }
        // Drop columns from the right until the table fits.
        while columns.count > 2 && columns.reduce(0, { $0 + $1.1 + 1 }) > inner.width - 2 { columns.removeLast() }
        var x = inner.x + 2
        for column in columns {
            grid.text(Format.pad(column.0, column.1, right: column.0 != "run"), x: x, y: inner.y, Style(.muted))
            x += column.1 + 1
        }
        let selected = max(0, min(view.selectedRun, state.runs.count - 1))
        for (row, run) in state.runs.enumerated() where inner.y + 1 + row < inner.maxY {
            let y = inner.y + 1 + row
            let style = row == selected ? Style(.foreground, on: .selected, bold: true) : Style(.foreground)
            if row == selected { grid.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), " ", style) }
            grid.put(grid.glyphs.usesBraille ? "■" : "#", x: inner.x, y: y, Style(Role.series(row), on: row == selected ? .selected : .background))
            x = inner.x + 2
            for column in columns {
                grid.text(Format.pad(column.2(run), column.1, right: column.0 != "run"), x: x, y: y, style)
                x += column.1 + 1
            }
        }
        var lossArea = chartArea
        if !state.runs[selected].perType.isEmpty, chartArea.width >= 80 {
            let (left, right) = chartArea.splitLeft(chartArea.width - 36)
            lossArea = left
            drawPerType(state.runs[selected], into: &grid, right)
        }
        grid.box(lossArea, title: "Loss by step, each run its own colour")
        let series = state.runs.enumerated().map { i, run in
            LineChart.Series(run.losses.map { (x: Double($0.step), y: $0.loss) }, role: Role.series(i))
        }
        LineChart(series: series, logarithmic: true, xLabel: "step").draw(into: &grid, lossArea.inset(1))
    }

    /// The selected conditional run's per-type accuracy: how often cells asked for a type are
    /// classified as that type (5-NN on the held-out cells), beside real-vs-real.
    static func drawPerType(_ run: RunSummary, into grid: inout TextGrid, _ area: Rect) {
        grid.box(area, title: "Types asked for · \(run.name)")
        let inner = area.inset(1)
        grid.text("type", x: inner.x + 1, y: inner.y, Style(.muted))
        grid.text("acc (real)", right: inner.maxX - 1, y: inner.y, Style(.muted))
        for (row, entry) in run.perType.enumerated() where inner.y + 1 + row < inner.maxY {
            let y = inner.y + 1 + row
            let figures = String(format: "%.2f", entry.accuracy) + (entry.floor.isFinite ? String(format: " (%.2f)", entry.floor) : " (--)")
            grid.text(entry.label, x: inner.x + 1, y: y, Style(.foreground), limit: inner.width - figures.count - 3)
            grid.text(figures, right: inner.maxX - 1, y: y, Style(entry.accuracy >= entry.floor * 0.8 ? .ok : .foreground))
        }
    }

    /// 1.2M, 340k.
    static func count(_ n: Int) -> String {
        n >= 1_000_000 ? String(format: "%.1fM", Double(n) / 1e6) : n >= 1000 ? String(format: "%.0fk", Double(n) / 1e3) : String(n)
    }
}
