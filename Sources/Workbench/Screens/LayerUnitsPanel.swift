import Analysis
import Report
import TextUI

/// The Layers screen's panel of one layer's units read in genes (`inspect --units`): its
/// most specific atoms (white-box) or MLP units (DiT), each with its cell type, the AUC
/// as a bar, and the genes that track it; ↑/↓ picks the layer, ←/→ a unit, whose mean
/// activation in each cell type is drawn as bars beside the list. With a gene searched
/// (`/`), the units of every layer that track that gene instead, strongest first.
enum LayerUnitsPanel {
    static func draw(_ units: RunUnits, layer: Int, selected: Int, depth: Int, gene: String?, labels: [String]?,
                     into grid: inout TextGrid, _ full: Rect) {
        if let gene { return drawGene(units, gene, into: &grid, full) }
        let ranked = units.mostSpecific(layer: layer)
        var area = full
        if let labels, ranked.indices.contains(selected), full.width >= 120 {
            let (list, bars) = full.splitLeft(full.width - 36)
            area = list
            drawTypeBars(units, layer: layer, unit: ranked[selected], labels: labels, into: &grid, bars)
        }
        let whiteBox = units.architecture == .whiteBox
        let network = units.count(whiteBox ? .atom : .unit), random = units.count(.random)
        func share(_ k: Int, _ n: Int) -> String { String(format: "%.0f%%", 100 * Double(k) / Double(max(1, n))) }
        grid.box(area, title: "Layer \(layer + 1) of \(depth) · most specific \(whiteBox ? "ISTA atoms" : "MLP units") (↑↓ layer, ←→ unit, m map) · "
            + "specific \(share(network.specific, network.total)), random directions \(share(random.specific, random.total))")
        let inner = area.inset(1)
        guard !ranked.isEmpty else {
            grid.text("no unit of this layer tells one cell type from the rest", x: inner.x + 1, y: inner.y, Style(.muted))
            return
        }
        let typeWidth = min(18, ranked.compactMap { $0.type?.count }.max() ?? 4)
        grid.text(whiteBox ? "atom" : "unit", x: inner.x + 1, y: inner.y, Style(.muted))
        grid.text("type", x: inner.x + 7, y: inner.y, Style(.muted))
        grid.text("AUC", x: inner.x + 8 + typeWidth, y: inner.y, Style(.muted))
        grid.text("genes tracking it (Spearman ρ)", x: inner.x + 24 + typeWidth, y: inner.y, Style(.muted))
        let first = max(0, selected - (inner.height - 2))
        for (row, m) in ranked.dropFirst(first).prefix(inner.height - 1).enumerated() {
            let y = inner.y + 1 + row
            grid.text(String(m.index), right: inner.x + 4, y: y, Style(.foreground, bold: true, reverse: first + row == selected))
            grid.text(m.type ?? "–", x: inner.x + 7, y: y, Style(.foreground), limit: typeWidth)
            grid.bar(fraction: max(0, (m.specificity - 0.5) / 0.5), x: inner.x + 8 + typeWidth, y: y, width: 8, Style(.series1, on: .selected))
            grid.text(String(format: "%.3f", m.specificity), x: inner.x + 17 + typeWidth, y: y, Style(.foreground))
            let genes = units.trackingGenes(m, count: 8).joined(separator: "  ")
            grid.text(genes, x: inner.x + 24 + typeWidth, y: y, Style(m.isEnriched ? .foreground : .muted), limit: inner.maxX - inner.x - 24 - typeWidth)
        }
    }

    /// The picked unit's mean activation in each cell type of the held-out cells, as bars
    /// scaled to the largest.
    static func drawTypeBars(_ units: RunUnits, layer: Int, unit: UnitMeaning, labels: [String], into grid: inout TextGrid, _ area: Rect) {
        grid.box(area, title: "\(units.architecture == .whiteBox ? "atom" : "unit") \(unit.index): mean by type")
        let inner = area.inset(1)
        guard let values = units.activation(layer: layer, unit: unit.index) else { return }
        var sums: [String: (Double, Int)] = [:]
        for (value, label) in zip(values, labels) { sums[label, default: (0, 0)].0 += Double(value); sums[label, default: (0, 0)].1 += 1 }
        let means = sums.map { ($0.key, $0.value.0 / Double($0.value.1)) }.sorted { ($0.1, $1.0) > ($1.1, $0.0) }
        let top = max(1e-12, means.map { abs($0.1) }.max() ?? 1)
        for (row, (type, mean)) in means.prefix(inner.height).enumerated() {
            let y = inner.y + row
            grid.text(type, x: inner.x + 1, y: y, Style(type == unit.type ? .foreground : .muted, bold: type == unit.type), limit: 14)
            grid.bar(fraction: max(0, mean) / top, x: inner.x + 16, y: y, width: inner.width - 17, Style(.series3, on: .selected))
        }
    }

    /// The network's units whose tracking genes include `query` (case-insensitive), by |ρ|.
    static func drawGene(_ units: RunUnits, _ query: String, into grid: inout TextGrid, _ area: Rect) {
        let whiteBox = units.architecture == .whiteBox
        let gene = units.geneNames.firstIndex { $0.caseInsensitiveCompare(query) == .orderedSame }
        let tracking = gene.map { g in
            units.units.filter { $0.kind == .atom || $0.kind == .unit }.compactMap { unit -> (RunUnits.Unit, Double)? in
                unit.meaning.topGenes.first { $0.gene == g }.map { (unit, $0.rho) }
            }.sorted { (abs($0.1), -($0.0.layer ?? 0), -$0.0.meaning.index) > (abs($1.1), -($1.0.layer ?? 0), -$1.0.meaning.index) }
        } ?? []
        grid.box(area, title: "\(whiteBox ? "ISTA atoms" : "MLP units") tracking \(gene.map { units.geneNames[$0] } ?? query) (/ another gene, Esc in the search clears)")
        let inner = area.inset(1)
        guard gene != nil else {
            grid.text("no gene \(query) among the run's \(units.geneNames.count) genes", x: inner.x + 1, y: inner.y, Style(.muted))
            return
        }
        guard !tracking.isEmpty else {
            grid.text("no unit has \(query) among the \(UnitMeaning.topGenes) genes that track it most", x: inner.x + 1, y: inner.y, Style(.muted))
            return
        }
        grid.text("layer  \(whiteBox ? "atom" : "unit")  ρ       type               AUC    other genes tracking it", x: inner.x + 1, y: inner.y, Style(.muted))
        for (row, (unit, rho)) in tracking.prefix(inner.height - 1).enumerated() {
            let m = unit.meaning
            let others = units.trackingGenes(m, count: 6, except: gene)
            let line = String(format: "%5d  %4d  %+.2f  ", (unit.layer ?? 0) + 1, m.index, rho) + Format.pad(m.type ?? "–", 18)
                + " " + (m.specificity.isFinite ? String(format: "%.3f", m.specificity) : "  –  ") + "  " + others.joined(separator: "  ")
            grid.text(line, x: inner.x + 1, y: inner.y + 1 + row, Style(.foreground), limit: inner.width - 2)
        }
    }
}
