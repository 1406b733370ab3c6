import Foundation
import TextUI

/// Screen 4: the generated cells, one per row, with what they are closest to; the selected
/// cell's top genes as bars beside the same genes in its nearest real cell and in the mean
/// of that cell's type. `/` looks up a gene by name.
enum SamplesScreen {
    static let keys = "↑/↓ PgUp/PgDn select · / find a gene · s sample now · 1-6 screens · ? help · q quit"
    static let topGenes = 12

    static func draw(_ state: WorkbenchState, _ view: ViewState, into grid: inout TextGrid, _ body: Rect) {
        let (listArea, detailArea) = body.splitLeft(min(46, body.width / 2))
        guard let samples = state.samples, let reference = state.reference, samples.count > 0, samples.isMeasured else {
            grid.box(listArea, title: "Generated cells")
            grid.box(detailArea, title: "Top genes")
            let hint = state.sampling != nil ? "generating cells…" : "no generated cells yet: press s to sample"
            grid.text(hint, x: listArea.x + 2, y: listArea.y + 2, Style(.muted), limit: listArea.width - 3)
            return
        }
        let selected = max(0, min(view.selectedSample, samples.count - 1))
        drawList(samples, reference, selected: selected, into: &grid, listArea)
        drawDetail(samples, reference, selected: selected, query: view.geneQuery, into: &grid, detailArea)
    }

    static func drawList(_ samples: SampleSet, _ reference: ReferenceCells, selected: Int, into grid: inout TextGrid, _ area: Rect) {
        grid.box(area, title: "Generated cells · \(samples.count) from step \(samples.step)\(samples.isCounts ? " · UMI counts" : "")")
        let inner = area.inset(1)
        let header = " " + [Format.pad("#", 4, right: true), Format.pad("nearest type", 12), Format.pad("dist", 5, right: true),
                            Format.pad(samples.isCounts ? "UMIs" : "library", 7, right: true), Format.pad("genes", 5, right: true)].joined(separator: " ")
        grid.text(header, x: inner.x, y: inner.y, Style(.muted), limit: inner.width)
        let rows = inner.height - 1
        let first = max(0, min(selected - rows / 2, samples.count - rows))
        for row in 0..<min(rows, samples.count) {
            let i = first + row
            let cell = samples.cells[i]
            let label = reference.labels?[cell.nearestReal] ?? "cell \(cell.nearestReal)"
            let marker = i == selected ? (grid.glyphs.usesBraille ? "›" : ">") : " "
            let text = marker + String(format: "%4d ", i) + Format.pad(label, 12)
                + String(format: " %5.2f %7.0f %5d", cell.nearestDistance, cell.librarySize, cell.genesDetected)
            let style = i == selected ? Style(.foreground, on: .selected, bold: true) : Style(.foreground)
            if i == selected { grid.fill(Rect(x: inner.x, y: inner.y + 1 + row, width: inner.width, height: 1), " ", style) }
            grid.text(text, x: inner.x, y: inner.y + 1 + row, style, limit: inner.width)
        }
    }

    static func drawDetail(_ samples: SampleSet, _ reference: ReferenceCells, selected: Int, query: String?,
                           into grid: inout TextGrid, _ area: Rect) {
        let cell = samples.cells[selected]
        let label = reference.labels?[cell.nearestReal]
        grid.box(area, title: "Cell \(selected) · top genes" + (label.map { " · nearest: \($0)" } ?? ""))
        let inner = area.inset(1)
        let genes = samples.genes
        let typeCells = label.map { l in (0..<reference.count).filter { reference.labels![$0] == l } } ?? [cell.nearestReal]
        func typeMean(_ g: Int) -> Float {
            typeCells.reduce(Float(0)) { $0 + reference.value(cell: $1, gene: g) } / Float(max(1, typeCells.count))
        }
        var y = inner.y
        // Legend.
        var x = inner.x + 1
        for (role, text) in [(Role.generated, "generated"), (.real, "nearest"), (.series3, label == nil ? "" : "type mean")] where !text.isEmpty {
            grid.put(grid.glyphs.barEighths[7], x: x, y: y, Style(role))
            x += 2 + grid.text(text, x: x + 2, y: y, Style(.muted), limit: max(0, inner.maxX - x - 2)) + 1
        }
        y += 1
        if let query {
            if let g = reference.geneNames.firstIndex(where: { $0.caseInsensitiveCompare(query) == .orderedSame }) {
                let line = reference.geneNames[g] + String(format: ": %.2f · real %.2f · mean %.2f", samples.value(cell: selected, gene: g),
                                                           reference.value(cell: cell.nearestReal, gene: g), typeMean(g))
                grid.text(line, x: inner.x + 1, y: y, Style(.title, bold: true), limit: inner.width - 1)
            } else {
                grid.text("no gene named \(query) among the \(genes) genes", x: inner.x + 1, y: y, Style(.warning), limit: inner.width - 1)
            }
            y += 1
        }
        let top = (0..<genes).sorted { samples.value(cell: selected, gene: $0) > samples.value(cell: selected, gene: $1) }
            .prefix(min(topGenes, max(0, (inner.maxY - y))))
        let maximum = top.map { max(samples.value(cell: selected, gene: $0), reference.value(cell: cell.nearestReal, gene: $0), typeMean($0)) }
            .max() ?? 1
        let nameWidth = 10
        let barWidth = max(3, (inner.width - nameWidth - 2) / 3)
        for g in top where y < inner.maxY {
            let name = g < reference.geneNames.count ? reference.geneNames[g] : "gene \(g)"
            grid.text(String(name.prefix(nameWidth - 1)), x: inner.x + 1, y: y, Style(.foreground), limit: nameWidth - 1)
            let values = [samples.value(cell: selected, gene: g), reference.value(cell: cell.nearestReal, gene: g), typeMean(g)]
            for (k, (v, role)) in zip(values, [Role.generated, .real, .series3]).enumerated() {
                grid.bar(fraction: Double(v / max(maximum, 1e-6)), x: inner.x + 1 + nameWidth + k * barWidth, y: y,
                         width: barWidth - 1, Style(role))
            }
            y += 1
        }
        if y < inner.maxY {
            grid.text(String(format: "bars to %.2f (log-normalised expression)", maximum), x: inner.x + 1, y: y, Style(.muted), limit: inner.width - 1)
        }
    }
}
