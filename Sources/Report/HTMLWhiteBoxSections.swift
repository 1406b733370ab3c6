import Analysis
import Foundation
import Networks
import TextUI

/// The report's white-box sections: CRATE's claims by depth, and the units read in genes.
extension HTMLReport {
    /// "The white box in genes": how many of the network's units, heads and the baselines'
    /// directions are enriched for one type's markers and specific to one type, and each
    /// layer's most specific units with the genes that track them (`wbdit inspect --units`).
    func unitsSection(_ read: RunUnits) -> String {
        let whiteBox = read.architecture == .whiteBox
        func share(_ k: Int, _ n: Int) -> String { String(format: "%.1f%%", 100 * Double(k) / Double(max(1, n))) }
        var html = "<h3>The white box in genes</h3><p class=\"note\">\(read.cells) held-out cells noised to step \(read.noiseStep). "
            + "Enriched: a direction's most correlated genes hold one type's markers beyond chance (BH q ≤ \(UnitMeaning.enrichmentLevel)); "
            + "specific: its activation tells one type from the rest with AUC ≥ \(UnitMeaning.specificLevel) (docs/metrics.md).</p>"
        html += "<table><tr><th>directions</th><th>count</th><th>enriched</th><th>specific</th></tr>"
        for (name, kind) in read.kinds {
            let c = read.count(kind)
            html += "<tr><td>\(esc(name))</td><td>\(c.total)</td><td>\(share(c.enriched, c.total))</td><td>\(share(c.specific, c.total))</td></tr>"
        }
        html += "</table><div class=\"wide\"><table><tr><th>layer</th><th>\(whiteBox ? "atom" : "unit")</th><th>type</th><th>AUC</th><th>genes tracking it (Spearman ρ)</th></tr>"
        for layer in Set(read.units.compactMap(\.layer)).sorted() {
            for m in read.mostSpecific(layer: layer).prefix(3) {
                let genes = read.trackingGenes(m, count: 8).joined(separator: ", ")
                html += "<tr><td>\(layer + 1)</td><td>\(m.index)</td><td>\(esc(m.type ?? "–"))</td><td>\(String(format: "%.3f", m.specificity))</td><td>\(esc(genes))</td></tr>"
            }
        }
        return html + "</table></div>"
    }

    /// CRATE's claims on held-out cells: R^c and sparsity by layer, one line per noise level.
    func depthSection(_ depth: DepthProfile) -> String {
        func chart(_ title: String, _ axis: String, _ value: (LayerReadout) -> Double) -> String {
            var chart = SVGChart(title: title, xLabel: "layer", yLabel: axis)
            chart.lines = depth.levels.enumerated().map { i, level in
                .init(name: "noise step \(level.step)", colour: theme[Role.series(i)], points: level.layers.map { (Double($0.layer + 1), value($0)) })
            }
            return chart.svg(theme)
        }
        let rows = depth.levels.map { level in
            "<tr><td>\(level.step)</td><td>\(level.layers.map { String(format: "%.1f", $0.codingRate) }.joined(separator: " → "))</td>"
                + "<td>\(level.rateFalls ? "yes" : "no")</td><td>\(level.layers.map { String(format: "%.3f", $0.sparsity) }.joined(separator: " → "))</td>"
                + "<td>\(level.sparsityRises ? "yes" : "no")</td></tr>"
        }
        return "<h3>By depth, on held-out cells</h3><p class=\"note\">\(depth.cells) held-out cells noised to each step; R^c's ceiling for these tokens and heads is \(String(format: "%.1f", depth.ceiling)) nats. "
            + "CRATE's claim: R^c falls and sparsity rises from layer to layer.</p>"
            + "<table><tr><th>noise step</th><th>R^c by layer (nats)</th><th>falls</th><th>sparsity by layer</th><th>rises</th></tr>" + rows.joined() + "</table>"
            + "<div class=\"grid\">" + chart("Coding rate R^c by layer", "nats", \.codingRate) + chart("Sparsity by layer", "fraction of zeros", \.sparsity) + "</div>"
    }
}
