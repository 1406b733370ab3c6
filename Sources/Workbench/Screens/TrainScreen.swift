import Foundation
import TextUI

/// Screen 1: the loss curve (raw and smoothed), the step's figures, progress and status.
enum TrainScreen {
    static let keys = "space pause/resume · s sample · c checkpoint · e evaluate · +/- smoothing · l log · z window · n new · r resume · ? help · q quit"

    static func draw(_ state: WorkbenchState, _ view: ViewState, into grid: inout TextGrid, _ body: Rect, now: Date) {
        let panelHeight = 6
        let (chartArea, panel) = body.splitTop(body.height - panelHeight)
        // Smoothed over the whole history, so a window does not restart it.
        let smoothed = LossSmoothing.smooth(state.steps.map(\.loss), strength: view.smoothingStrength)
        drawChart(state, view, smoothed, into: &grid, chartArea)
        drawFigures(state, view, smoothed.last, into: &grid, panel, now: now)
    }

    static func drawChart(_ state: WorkbenchState, _ view: ViewState, _ smoothedLoss: [Double], into grid: inout TextGrid,
                          _ area: Rect) {
        let scale = view.logScale ? "log" : "linear"
        let strength = view.smoothingStrength
        let measure = state.config?.target.lossLabel ?? "MSE"
        grid.box(area, title: "Loss (\(measure)) · \(view.window.label) · \(scale) · smoothing \(strength)")
        var shown = state.steps
        if let last = shown.last, let window = view.window.steps { shown = shown.filter { $0.step > last.step - window } }
        let smoothed = smoothedLoss.suffix(shown.count)
        let raw = shown.map { (x: Double($0.step), y: $0.loss) }
        let smooth = zip(shown, smoothed).map { (x: Double($0.0.step), y: $0.1) }
        let inner = area.inset(1)
        let legend = "raw ─ smoothed ─"
        let chart = LineChart(series: [.init(raw, role: .series6), .init(strength > 0 ? smooth : [], role: .series2)],
                              logarithmic: view.logScale, xLabel: "step")
        chart.draw(into: &grid, Rect(x: inner.x, y: inner.y + 1, width: inner.width, height: inner.height - 1))
        let x = inner.maxX - legend.count
        grid.text("raw ", x: x, y: inner.y, Style(.muted))
        grid.text("─", x: x + 4, y: inner.y, Style(.series6))
        grid.text(" smoothed ", x: x + 5, y: inner.y, Style(.muted))
        grid.text("─", x: x + 15, y: inner.y, Style(.series2))
    }

    static func drawFigures(_ state: WorkbenchState, _ view: ViewState, _ smoothed: Double?, into grid: inout TextGrid,
                            _ area: Rect, now: Date) {
        grid.box(area, title: "Run")
        let inner = area.inset(1)
        let (x, width) = (inner.x + 1, inner.width - 2)
        let total = max(state.totalSteps, 1)
        let step = state.step
        let r = state.latest
        // Line 1: progress.
        let barWidth = max(10, min(40, width - 46))
        var column = x + grid.text("step ", x: x, y: inner.y, Style(.muted))
        column += grid.text("\(step)/\(state.totalSteps)", x: column, y: inner.y, Style(.foreground, bold: true)) + 1
        let budget = state.config?.timeBudgetSeconds
        let fraction = r?.progress(budget: budget) ?? Double(step) / Double(total)
        grid.bar(fraction: fraction, x: column, y: inner.y, width: barWidth, Style(.series1, on: .selected))
        column += barWidth + 1
        column += grid.text(String(format: "%3.0f%%", 100 * fraction), x: column, y: inner.y, Style(.foreground)) + 2
        let eta = r.map { Format.duration($0.etaSeconds) } ?? "--"
        var fields = [("ETA", state.status == .running ? eta : "--")]
        if let budget { fields.append(("budget", "\(Format.duration(r?.trainingSeconds ?? 0)) of \(Format.duration(budget))")) }
        Frame.fields(fields, x: column, y: inner.y, into: &grid, limit: inner.maxX - column)
        // Line 2: the step's figures.
        Frame.fields([
            ("epoch", state.steps.last.map { String($0.epoch) } ?? "--"),
            ("loss", state.steps.last.map { String(format: "%.4f", $0.loss) } ?? "--"),
            ("smoothed", smoothed.map { String(format: "%.4f", $0) } ?? "--"),
            ("lr", state.steps.last.map { String(format: "%.2e", $0.learningRate) } ?? "--"),
            ("grad norm", state.steps.last.map { String(format: "%.3f", $0.gradientNorm) } ?? "--"),
        ], x: x, y: inner.y + 1, into: &grid, limit: width)
        // Line 3: speed.
        Frame.fields([
            ("time/step", r.map { Format.seconds($0.stepSeconds) } ?? "--"),
            ("cells/s", r.map { String(format: "%.1f", $0.cellsPerSecond) } ?? "--"),
            ("peak memory", r.map { String(format: "%.0f MiB", $0.peakMemoryMiB) } ?? "--"),
            ("batch", state.config.map { String($0.batch) } ?? "--"),
        ], x: x, y: inner.y + 2, into: &grid, limit: width)
        // Line 4: status and the last checkpoint.
        let statusRole: Role = state.status == .running ? .ok : { if case .failed = state.status { return .error }; return .warning }()
        column = x + grid.text("status ", x: x, y: inner.y + 3, Style(.muted))
        var statusText = state.status.label
        if let detail = state.status.detail { statusText += ": " + detail }
        if state.sampling != nil { statusText += " (sampling)" }
        column += grid.text(statusText, x: column, y: inner.y + 3, Style(statusRole, bold: true), limit: max(0, width / 2)) + 3
        let checkpoint = state.lastCheckpoint.map { "step \($0.step) at " + Frame.clock($0.time, now: now) } ?? "none yet"
        Frame.fields([("last checkpoint", checkpoint)], x: column, y: inner.y + 3, into: &grid, limit: inner.maxX - column)
    }
}
