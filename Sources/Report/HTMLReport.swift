import Analysis
import Diffusion
import Foundation
import Networks
import TextUI

/// The report as one self-contained HTML page: inline CSS and SVG, nothing fetched, no
/// script; it opens offline and prints. One section per run — training, layers, cells,
/// evaluation, configuration — and, for several runs, the paper's comparison first.
public struct HTMLReport {
    public let runs: [RunReport]
    public let theme: Theme
    /// Where and when it was made, for the page's footer.
    public let machine: String

    public init(runs: [RunReport], theme: Theme, machine: String = HTMLReport.thisMachine()) {
        (self.runs, self.theme, self.machine) = (runs, theme, machine)
    }

    public static func thisMachine() -> String {
        let info = ProcessInfo.processInfo
        return "\(info.hostName), \(info.activeProcessorCount) cores, \(Int((Double(info.physicalMemory) / 1e9).rounded())) GB, \(info.operatingSystemVersionString)"
    }

    public var html: String {
        let title = runs.count == 1 ? "wbdit report: \(runs[0].name)" : "wbdit report: \(runs.map(\.name).joined(separator: " vs "))"
        var body = "<h1>\(esc(title))</h1>"
        if runs.count > 1 { body += comparison() }
        body += runs.map(section).joined()
        body += "<footer>Written by wbdit \(esc(runs.first?.config.softwareVersion ?? "")) on \(esc(machine)), \(esc(ISO8601DateFormatter().string(from: Date()))).</footer>"
        return """
        <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(esc(title))</title><style>\(css)</style></head><body>\(body)</body></html>
        """
    }

    var css: String {
        """
        body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:\(theme[.foreground].hex);background:\(theme[.background].hex)}
        h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid \(theme[.border].hex);padding-bottom:4px;margin-top:32px}
        h3{font-size:15px;margin:18px 0 6px}.grid{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0}
        table{border-collapse:collapse;margin:6px 0 12px}td,th{padding:3px 10px;border-bottom:1px solid \(theme[.border].hex);text-align:right}
        td:first-child,th:first-child{text-align:left}.met{color:\(theme[.ok].hex)}.missed{color:\(theme[.error].hex)}
        .wide{overflow-x:auto}.note,footer{color:\(theme[.muted].hex)}svg{max-width:100%;height:auto}
        @media print{body{margin:8mm}.grid{break-inside:avoid}}
        """
    }

    func esc(_ s: String) -> String { SVGCanvas.escape(s) }

    // MARK: - One run

    func section(_ run: RunReport) -> String {
        var html = "<section class=\"run\"><h2>\(esc(run.name))</h2><p>\(esc(summary(run)))</p>"
        html += "<h3>Training</h3><div class=\"grid\">" + trainingCharts(run).joined() + "</div>"
        let layers = layerCharts(run)
        if !layers.isEmpty { html += "<h3>Layers: coding rate and sparsity</h3><div class=\"grid\">" + layers.joined() + "</div>" }
        if let depth = run.depth { html += depthSection(depth) }
        if let units = run.units { html += unitsSection(units) }
        if let cells = run.cells {
            html += "<h3>Cells: step \(cells.step), \(cells.isCounts ? "generated as counts, log-normalised" : "the network's cells")</h3>"
            html += "<div class=\"grid\">" + cellCharts(cells).joined() + "</div>"
        } else {
            html += "<p class=\"note\">No generated cells yet: sample the run (the workbench's s, or a checkpoint) to see them here.</p>"
        }
        html += "<h3>Evaluation</h3>" + evaluationTable(run)
        html += "<h3>Configuration and data</h3>" + configurationTable(run)
        return html + "</section>"
    }

    func summary(_ run: RunReport) -> String {
        let c = run.config, m = c.model
        let last = run.history.steps.last.map { "\($0.step) steps" } ?? "no steps yet"
        return "\(m.architecture == .whiteBox ? "White-box (CRATE)" : "DiT") \(m.hiddenSize) wide, \(m.depth) blocks, \(m.heads) heads, "
            + "\(m.tokens) tokens of \(m.patchSize); \(run.parameters) parameters; \(c.recipe?.rawValue ?? "custom") recipe, \(c.target.rawValue) target; \(last)."
    }

    /// At most `limit` points of a long series, evenly strided (the last kept).
    func thin<T>(_ values: [T], limit: Int = 1500) -> [T] {
        guard values.count > limit else { return values }
        let stride = Double(values.count - 1) / Double(limit - 1)
        return (0..<limit).map { values[Int((Double($0) * stride).rounded())] }
    }

    func trainingCharts(_ run: RunReport) -> [String] {
        let steps = run.history.steps
        guard !steps.isEmpty else { return ["<p class=\"note\">No steps logged yet.</p>"] }
        let smoothed = LossSmoothing.smooth(steps.map(\.loss), strength: 0.99)
        var loss = SVGChart(title: "Loss (\(run.config.target.lossLabel))", xLabel: "step", yLabel: "loss")
        loss.logY = true
        loss.lines = [
            .init(name: "raw", colour: theme[.series1], points: thin(steps.map { (Double($0.step), $0.loss) }), width: 1, opacity: 0.35),
            .init(name: "smoothed (EMA 0.99)", colour: theme[.series2], points: thin(zip(steps, smoothed).map { (Double($0.0.step), $0.1) })),
        ]
        var rate = SVGChart(title: "Learning rate", xLabel: "step", yLabel: "rate")
        rate.lines = [.init(name: "", colour: theme[.series3], points: thin(steps.map { (Double($0.step), $0.learningRate) }))]
        return [loss.svg(theme), rate.svg(theme)]
    }

    func layerCharts(_ run: RunReport) -> [String] {
        let readouts = run.history.readouts
        guard let last = readouts.last else { return [] }
        let layers = last.layers.count
        func overTraining(_ title: String, _ axis: String, _ value: (LayerReadout) -> Double) -> String {
            var chart = SVGChart(title: title, xLabel: "step", yLabel: axis)
            chart.lines = (0..<layers).map { l in
                .init(name: "layer \(l)", colour: theme[Role.series(l)],
                      points: thin(readouts.compactMap { r in r.layers.first { $0.layer == l }.map { (Double(r.step), value($0)) } }))
            }
            return chart.svg(theme)
        }
        var depth = SVGChart(title: "By depth at step \(last.step)", xLabel: "layer", yLabel: "coding rate")
        depth.lines = [.init(name: "coding rate", colour: theme[.series1], points: last.layers.map { (Double($0.layer), $0.codingRate) })]
        depth.dots = [.init(name: "", colour: theme[.series1], points: last.layers.map { (Double($0.layer), $0.codingRate) }, width: 3)]
        return [overTraining("Coding rate R^c per layer", "coding rate", \.codingRate),
                overTraining("Sparsity per layer", "fraction of zeros", \.sparsity), depth.svg(theme)]
    }

    func cellCharts(_ cells: RunReport.Cells) -> [String] {
        var bySource = SVGChart(title: "t-SNE: held-out and generated cells", xLabel: "", yLabel: "")
        bySource.bare = true
        bySource.dots = [
            .init(name: "held-out", colour: theme[.real], points: Array(cells.map[..<cells.heldOut]), width: 1.6, opacity: 0.7),
            .init(name: "generated", colour: theme[.generated], points: Array(cells.map[cells.heldOut...]), width: 1.6, opacity: 0.7),
        ]
        var charts = [bySource.svg(theme)]
        if let types = cells.types {
            var byType = SVGChart(title: "t-SNE: held-out cells by type", xLabel: "", yLabel: "")
            byType.bare = true
            let names = Array(Set(types)).sorted()
            byType.dots = names.enumerated().map { k, name in
                .init(name: name, colour: theme[Role.label(k)],
                      points: (0..<cells.heldOut).filter { types[$0] == name }.map { cells.map[$0] }, width: 1.6, opacity: 0.8)
            }
            charts.append(byType.svg(theme))
        }
        for (title, values) in [("Gene means", cells.means), ("Gene variances", cells.variances), ("Gene zero fractions", cells.zeroFractions)] {
            var chart = SVGChart(title: "\(title), one dot per gene", xLabel: "real (held-out)", yLabel: "generated")
            chart.diagonal = true
            chart.width = 300
            chart.dots = [.init(name: "", colour: theme[.series1], points: values.map { (x: $0.0, y: $0.1) }, width: 1.5, opacity: 0.6)]
            charts.append(chart.svg(theme))
        }
        return charts
    }

    func evaluationTable(_ run: RunReport) -> String {
        guard !run.evaluation.isEmpty else {
            return "<p class=\"note\">No evaluation yet: <code>wbdit eval --run \(esc(run.path))</code> writes report.json.</p>"
        }
        let rows = run.evaluation.map { e -> String in
            let target = EvaluationTarget.of(e.key)
            let met = target.map { $0.isMet(e.generated, floor: e.floor) ? "<td class=\"met\">met</td>" : "<td class=\"missed\">not met</td>" } ?? "<td></td>"
            return "<tr><td>\(esc(e.key))</td><td>\(Self.figure(e.generated))</td><td>\(Self.figure(e.floor))</td><td>\(esc(target?.description ?? ""))</td>\(met)</tr>"
        }
        let scored = ["counts": "generated cells drawn as counts (log-normalised)", "network": "the network's own cells, before counts",
                      "file": "cells from a file"][run.evaluatedValues ?? ""] ?? "generated cells"
        return "<p class=\"note\">From report.json (\(esc(scored))) against the held-out cells; floors are held-out against as many training cells.</p>"
            + "<table class=\"evaluation\"><tr><th>figure</th><th>generated</th><th>real vs real (floor)</th><th>target</th><th></th></tr>"
            + rows.joined() + "</table>"
    }

    static func figure(_ v: Double) -> String { v.isFinite ? String(format: abs(v) < 0.01 && v != 0 ? "%.5f" : "%.4f", v) : "–" }

    func configurationTable(_ run: RunReport) -> String {
        let c = run.config, d = c.data
        let rows: [(String, String)] = [
            ("data", "\(d.path) (checksum \(d.checksum), \(d.cells) cells × \(d.genes) genes)"),
            ("preprocessing", d.preprocessing.joined(separator: ", ")),
            ("counts", d.counts ?? "not recorded (run made before counts came out)"),
            ("network input", d.principalBasis == true ? "leading \(d.principalComponents ?? d.genes) principal components" : "genes"),
            ("batch, learning rate", "\(c.batch) cells, peak \(c.learningRate.peakRate)\(c.learningRate.cosineDecay ? ", cosine to \(c.learningRate.minimumRate)" : "")"),
            ("length", c.lengthChoice ?? "\(c.totalSteps) steps"),
            ("time per step (median)", run.stepSeconds.map { String(format: "%.2f ms", $0 * 1000) } ?? "–"),
            ("time per epoch", run.stepSeconds.map { String(format: "%.1f s (%d steps of %d of the %d training cells)", $0 * Double(max(1, run.trainingCells / c.batch)), max(1, run.trainingCells / c.batch), c.batch, run.trainingCells) } ?? "–"),
            ("peak memory", run.peakMemoryMiB.map { String(format: "%.0f MiB", $0) } ?? "–"),
            ("threads, seed", "\(c.threads), \(c.seed)"),
        ]
        return "<table class=\"config\">" + rows.map { "<tr><td>\(esc($0.0))</td><td style=\"text-align:left\">\(esc($0.1))</td></tr>" }.joined() + "</table>"
    }

    // MARK: - Several runs

    func comparison() -> String {
        // Every figure with a target that some run's evaluation has, in the report's order.
        let order = ["mmd2_rbf_biased", "knn_auc", "gene_gene_corr_r", "wasserstein1_gene_mean", "ks_gene_mean",
                     "zero_fraction_gene_gap", "gene_mean_pearson", "gene_variance_pearson", "library_size_w1_log",
                     "genes_detected_w1_log", "variance_ratio_median", "nearest_training_ratio", "near_copy_share", "label_mix_tv",
                     "lfc_pearson", "marker_overlap"]
        let keys = order.filter { key in runs.contains { $0.evaluation.contains { $0.key == key } } }
        let header = "<tr><th>run</th><th>network</th><th>parameters</th><th>ms / step</th><th>s / epoch</th><th>peak MiB</th>"
            + keys.map { "<th>\(esc($0))</th>" }.joined() + "</tr>"
        let rows = runs.map { run -> String in
            let figures = keys.map { key -> String in
                guard let e = run.evaluation.first(where: { $0.key == key }) else { return "<td>–</td>" }
                let met = EvaluationTarget.of(key).map { $0.isMet(e.generated, floor: e.floor) } ?? true
                return "<td class=\"\(met ? "met" : "missed")\">\(Self.figure(e.generated)) <span class=\"note\">(\(Self.figure(e.floor)))</span></td>"
            }.joined()
            let epoch = run.stepSeconds.map { String(format: "%.1f", $0 * Double(max(1, run.trainingCells / run.config.batch))) } ?? "–"
            return "<tr><td>\(esc(run.name))</td><td>\(run.config.model.architecture.rawValue) \(run.config.model.hiddenSize)/\(run.config.model.depth)/\(run.config.model.heads)</td>"
                + "<td>\(run.parameters)</td><td>\(run.stepSeconds.map { String(format: "%.2f", $0 * 1000) } ?? "–")</td><td>\(epoch)</td>"
                + "<td>\(run.peakMemoryMiB.map { String(format: "%.0f", $0) } ?? "–")</td>\(figures)</tr>"
        }
        let maps = runs.compactMap { run -> String? in
            guard let cells = run.cells else { return nil }
            var chart = SVGChart(title: "\(run.name): held-out and generated", xLabel: "", yLabel: "")
            chart.bare = true
            chart.width = 340
            chart.height = 300
            chart.dots = [.init(name: "held-out", colour: theme[.real], points: Array(cells.map[..<cells.heldOut]), width: 1.4, opacity: 0.7),
                          .init(name: "generated", colour: theme[.generated], points: Array(cells.map[cells.heldOut...]), width: 1.4, opacity: 0.7)]
            return chart.svg(theme)
        }
        return "<section class=\"comparison\"><h2>Side by side</h2><p class=\"note\">Figures beside their real-vs-real floors, in parentheses; green where the target is met.</p><div class=\"wide\"><table>"
            + header + rows.joined() + "</table></div><div class=\"grid\">" + maps.joined() + "</div></section>"
    }
}
