import Networks
import TextUI

/// Screen 2: what each block does, measured on a fixed probe batch — the coding rate R^c of
/// its attention's per-head projections (lower: tokens compressed onto the subspaces) and
/// the sparsity of its feed-forward output — with each one's history and the layer profile.
enum LayersScreen {
    static let keys = "1-6 screens · Tab next · space pause/resume · ? what these mean · q quit"

    /// The spec's names for the two measurements of each architecture.
    static func labels(_ architecture: Architecture) -> (rate: String, sparsity: String) {
        switch architecture {
        case .whiteBox: return ("MSSA coding rate R^c", "ISTA sparsity (exact zeros)")
        case .dit: return ("attention coding rate R^c", "MLP sparsity (|h| < 0.01)")
        }
    }

    static func draw(_ state: WorkbenchState, _ view: ViewState, into grid: inout TextGrid, _ body: Rect) {
        guard let config = state.config else {
            grid.box(body, title: "Layers")
            grid.text("waiting for the run to open", x: body.x + 2, y: body.y + 2, Style(.muted))
            return
        }
        let names = labels(config.model.architecture)
        let depth = config.model.depth
        let ceiling = LayerReadout.codingRateCeiling(heads: config.model.heads, headWidth: config.model.headWidth, tokens: config.model.tokens)
        let tableHeight = min(body.height / 2, 3 + 2 * depth)
        let (table, profiles) = body.splitTop(max(tableHeight, 5))
        let latest = state.readouts.last
        grid.box(table, title: "Per layer at step \(latest.map { String($0.step) } ?? "--") · probe batch")
        let inner = table.inset(1)
        let columnWidth = (inner.width - 10) / 2
        grid.text(names.rate, x: inner.x + 9, y: inner.y, Style(.series1, bold: true), limit: columnWidth)
        grid.text(names.sparsity, x: inner.x + 10 + columnWidth, y: inner.y, Style(.series3, bold: true), limit: columnWidth)
        guard let latest else {
            grid.text("no readout yet (one every \(config.readoutEvery) steps)", x: inner.x + 1, y: inner.y + 2, Style(.muted))
            drawLower(state, view, names, ceiling: ceiling, into: &grid, profiles)
            return
        }
        for layer in 0..<depth {
            let y = inner.y + 1 + 2 * layer
            guard y + 1 < inner.maxY + 1, layer < latest.layers.count else { break }
            let r = latest.layers[layer]
            grid.text("layer \(layer + 1)", x: inner.x + 1, y: y, Style(.foreground, bold: true))
            let history = state.readouts.compactMap { $0.layers.count > layer ? $0.layers[layer] : nil }
            drawMeasure(value: String(format: "%.1f nats", r.codingRate), fraction: r.codingRate / ceiling,
                        history: history.map(\.codingRate), role: .series1, x: inner.x + 9, y: y, width: columnWidth, into: &grid)
            drawMeasure(value: String(format: "%.3f", r.sparsity), fraction: r.sparsity, history: history.map(\.sparsity),
                        role: .series3, x: inner.x + 10 + columnWidth, y: y, width: columnWidth, into: &grid)
        }
        drawLower(state, view, names, ceiling: ceiling, into: &grid, profiles)
    }

    /// The layer profiles and, once the run's units are read, the selected layer's units below them.
    static func drawLower(_ state: WorkbenchState, _ view: ViewState, _ names: (rate: String, sparsity: String), ceiling: Double,
                          into grid: inout TextGrid, _ area: Rect) {
        guard let units = state.units, let depth = state.config?.model.depth, area.height >= 14 else {
            return drawProfiles(state, names, ceiling: ceiling, into: &grid, area)
        }
        let (profiles, panel) = area.splitTop(area.height / 2)
        drawProfiles(state, names, ceiling: ceiling, into: &grid, profiles)
        LayerUnitsPanel.draw(units, layer: min(view.selectedLayer, depth - 1), selected: view.selectedUnit, depth: depth, gene: view.geneQuery,
                             labels: state.reference?.labels, into: &grid, panel)
    }

    /// A bar with its value, and below it the value's history as a sparkline.
    static func drawMeasure(value: String, fraction: Double, history: [Double], role: Role, x: Int, y: Int, width: Int,
                            into grid: inout TextGrid) {
        let barWidth = max(4, width - value.count - 2)
        grid.bar(fraction: fraction, x: x, y: y, width: barWidth, Style(role, on: .selected))
        grid.text(value, x: x + barWidth + 1, y: y, Style(.foreground))
        Sparkline.draw(history, into: &grid, x: x, y: y + 1, width: barWidth, Style(role))
    }

    /// Value against layer index for the first and the latest readout, as in CRATE's figures.
    static func drawProfiles(_ state: WorkbenchState, _ names: (rate: String, sparsity: String), ceiling: Double,
                             into grid: inout TextGrid, _ area: Rect) {
        guard area.height >= 6 else { return }
        let (left, right) = area.splitLeft(area.width / 2)
        let first = state.readouts.first, latest = state.readouts.last
        for (rect, title, value) in [(left, names.rate, { (r: LayerReadout) in r.codingRate }),
                                     (right, names.sparsity, { (r: LayerReadout) in r.sparsity })] {
            let steps = [first, latest].compactMap { $0 }.map { "step \($0.step)" }
            grid.box(rect, title: "\(title) by layer")
            let inner = rect.inset(1)
            var series: [LineChart.Series] = []
            for (i, readout) in [first, latest].enumerated() {
                guard let readout else { continue }
                series.append(.init(readout.layers.map { (x: Double($0.layer + 1), y: value($0)) }, role: i == 0 ? .series4 : .series2))
            }
            if steps.count == 2 {
                let legend = "\(steps[0]) ─  \(steps[1]) ─"
                let x = inner.maxX - legend.count
                grid.text(steps[0] + " ", x: x, y: inner.y, Style(.muted))
                grid.text("─", x: x + steps[0].count + 1, y: inner.y, Style(.series4))
                grid.text(steps[1] + " ", x: x + steps[0].count + 4, y: inner.y, Style(.muted))
                grid.text("─", x: x + legend.count - 1, y: inner.y, Style(.series2))
            }
            LineChart(series: series, xLabel: "layer").draw(into: &grid, Rect(x: inner.x, y: inner.y + 1, width: inner.width, height: inner.height - 1))
        }
    }
}
