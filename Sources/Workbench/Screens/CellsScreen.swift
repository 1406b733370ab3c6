import TextUI

/// Screen 3: the t-SNE map of the held-out real cells, with generated cells placed on it
/// (openTSNE-style transform: the real map stays put). Coloured by source, or by cell type
/// (generated cells take the type they were asked for in a conditional run, else the type
/// of their nearest real cell); `t` toggles. `m` on the Layers screen colours the held-out
/// cells by one unit's activation instead (its top quarter bright, the rest by halves).
enum CellsScreen {
    static let keys = "t colour by source/type · s sample now · 1-6 screens · ? help · q quit"

    static func draw(_ state: WorkbenchState, _ view: ViewState, into grid: inout TextGrid, _ body: Rect) {
        let legendWidth = min(30, body.width / 3)
        let (mapArea, legendArea) = body.splitLeft(body.width - legendWidth)
        let byUnit = view.colourByUnit.flatMap { picked in state.units?.activation(layer: picked.layer, unit: picked.unit).map { (picked, $0) } }
        let byLabel = view.colourByLabel && state.reference?.labels != nil && byUnit == nil
        let phase = state.map.map { m in
            m.phase == "done" ? String(format: "KL %.3f", m.klDivergence ?? .nan) : "\(m.phase) \(m.iteration)/\(m.totalIterations)"
        } ?? "waiting for the held-out cells"
        let colouring = byUnit.map { "by \(state.units?.architecture == .dit ? "unit" : "atom") \($0.0.unit) of layer \($0.0.layer + 1) (t: back)" }
            ?? (byLabel ? "by cell type" : "by source")
        grid.box(mapArea, title: "t-SNE of \(state.reference?.shownCells ?? "held-out cells") · \(colouring) · \(phase)")
        drawLegend(state, byLabel: byLabel, byUnit: byUnit != nil, into: &grid, legendArea)
        guard let map = state.map, let reference = state.reference else { return }
        let labelIndex = Dictionary(uniqueKeysWithValues: reference.labelCounts.enumerated().map { ($0.element.label, $0.offset) })
        let levels = byUnit.map { activationRoles($0.1) }
        let realRoles: [Role] = (0..<(map.real.count / 2)).map { i in
            if let levels { return i < levels.count ? levels[i] : .muted }
            guard byLabel, let labels = reference.labels, i < labels.count else { return .real }
            return Role.label(labelIndex[labels[i]] ?? 0)
        }
        var layers = [ScatterPlot.Layer(points: map.real, roles: realRoles)]
        if let generated = map.generated {
            let types = generatedTypes(state)
            let roles: [Role] = (0..<(generated.count / 2)).map { i in
                guard byLabel, let types, i < types.count else { return .generated }
                return Role.label(labelIndex[types[i]] ?? 0)
            }
            layers.append(ScatterPlot.Layer(points: generated, roles: roles))
        }
        ScatterPlot(layers: layers).draw(into: &grid, mapArea.inset(1))
    }

    /// A role per cell by its activation: the top quarter bright, the next quarter a series
    /// colour, the lower half muted.
    static func activationRoles(_ values: [Float]) -> [Role] {
        let sorted = values.sorted()
        guard let high = sorted.last, high > sorted[0] else { return values.map { _ in .muted } }
        let (median, upper) = (sorted[sorted.count / 2], sorted[(3 * sorted.count) / 4])
        return values.map { $0 > upper || $0 == high ? .warning : $0 > median ? .series1 : .muted }
    }

    /// Each generated cell's type: the one asked for, else its nearest real cell's (nil
    /// until measured).
    static func generatedTypes(_ state: WorkbenchState) -> [String]? {
        guard let samples = state.samples else { return nil }
        if let requested = samples.requested { return requested }
        guard let labels = state.reference?.labels, samples.isMeasured else { return nil }
        return samples.cells.map { labels[$0.nearestReal] }
    }

    static func drawLegend(_ state: WorkbenchState, byLabel: Bool, byUnit: Bool = false, into grid: inout TextGrid, _ area: Rect) {
        grid.box(area, title: "Legend")
        let inner = area.inset(1)
        var y = inner.y
        let dot: Unicode.Scalar = grid.glyphs.usesBraille ? "●" : "*"
        func line(_ role: Role, _ text: String, _ count: String) {
            guard y < inner.maxY else { return }
            grid.put(dot, x: inner.x + 1, y: y, Style(role))
            grid.text(text, x: inner.x + 3, y: y, Style(.foreground), limit: inner.width - 4 - count.count)
            grid.text(count, right: inner.maxX, y: y, Style(.muted))
            y += 1
        }
        let realCount = state.reference?.count ?? 0
        let generatedCount = state.map?.generated.map { $0.count / 2 } ?? 0
        if byUnit {
            line(.warning, "top quarter", "")
            line(.series1, "second quarter", "")
            line(.muted, "lower half", "")
            line(.generated, "generated", String(generatedCount))
        } else if byLabel, let reference = state.reference {
            grid.text("type", x: inner.x + 3, y: y, Style(.muted))
            grid.text(state.samples?.requested == nil ? "real/gen" : "real/asked", right: inner.maxX, y: y, Style(.muted))
            y += 1
            var generatedByLabel: [String: Int] = [:]
            if let types = generatedTypes(state), state.map?.generated != nil {
                for type in types { generatedByLabel[type, default: 0] += 1 }
            }
            for (i, entry) in reference.labelCounts.enumerated() {
                line(Role.label(i), entry.label, "\(entry.count)/\(generatedByLabel[entry.label] ?? 0)")
            }
        } else {
            line(.real, "real (held out)", String(realCount))
            line(.generated, "generated", String(generatedCount))
            if let step = state.map?.generatedStep { grid.text("  from step \(step)", x: inner.x + 1, y: y, Style(.muted)); y += 1 }
        }
        y += 1
        let notes = [
            state.reference?.labels == nil ? "no cell types: run with --stratify COLUMN" : "t: colour by \(byLabel ? "source" : "type")",
            state.map?.generated == nil ? "s: generate cells to place them here" : "",
        ]
        for note in notes where !note.isEmpty && y < inner.maxY {
            grid.text(note, x: inner.x + 1, y: y, Style(.muted), limit: inner.width - 1)
            y += 1
        }
    }
}
