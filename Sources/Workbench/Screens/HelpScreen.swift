import TextUI

/// Screen 6: every key, and what each readout means.
enum HelpScreen {
    static let keys = "↑/↓ PgUp/PgDn scroll · t choose a theme · 1-6 screens · Tab next · q quit"

    static let keyTable: [(String, String)] = [
        ("1-6, Tab, Shift-Tab", "go to a screen"),
        ("space", "pause or resume training"),
        ("s", "sample now (a form: cells, sampler, steps)"),
        ("c", "write a checkpoint now"),
        ("e", "evaluate generated cells against held-out ones"),
        ("w", "write the HTML report (on Compare: with the picked run)"),
        ("n", "start a new run (a form, defaults from this run)"),
        ("r", "resume a run from runs/"),
        ("+ / -", "Train: more / less smoothing of the loss"),
        ("l", "Train: linear or log scale"),
        ("z", "Train: all steps, the last 1k, the last 100"),
        ("t", "Cells: colour by source or type · Help: choose a theme"),
        ("↑ ↓ PgUp PgDn", "Samples, Compare: move the selection; Layers: the layer whose units are listed"),
        ("/", "Samples: find a gene by name; Layers: the units that track a gene"),
        ("← → m", "Layers: pick a unit in the list; m colours the Cells map by its activation (t there goes back)"),
        ("q", "quit (asks while a run is active; checkpoints)"),
    ]

    static let readouts: [(String, String)] = [
        ("Loss", "The mean squared error between the network's output and its target for a batch of cells at random diffusion steps: the velocity v, a mix of the cells and their noise (fast recipe), or the noise ε itself (reference recipe). It falls fast at first, then slowly; the smoothed line is a debiased moving average."),
        ("Coding rate R^c", "How many nats it takes to code a layer's tokens, projected on each head's subspace (per head: ½ logdet(I + p/(Nε²) ZᵀZ), unit tokens, ε² = 0.01, summed over heads). MSSA lowers it: a falling R^c means tokens are compressed onto the learned subspaces."),
        ("Sparsity", "White-box: the fraction of exact zeros in the ISTA step's output, the sparse code of the tokens. DiT: the fraction of the MLP's post-GELU values below 0.01 in magnitude. Both are measured on the same fixed probe batch every few steps."),
        ("Units in genes", "Layers screen, for a reopened run whose cells have types and gene names: the layer's ISTA atoms (DiT: MLP units) that tell one cell type from the rest best (AUC of their activation on held-out cells), with the genes whose expression tracks them (Spearman ρ); genes in full colour where they are enriched for that type's markers. Random directions in the same layer are the baseline (wbdit inspect --units)."),
        ("t-SNE map", "The held-out real cells embedded with openTSNE's defaults on the first 50 principal components of the training cells; generated cells are placed on the finished map without moving it. Generated cells that land among real ones are hard to tell apart in this view."),
        ("Metrics", "MMD² (RBF kernel, in the training cells' 50 PCs), kNN real-vs-generated AUC (0.5 is indistinguishable) and gene-gene correlation agreement r, each beside its floor: the same figure between the held-out cells and as many training cells. Definitions: docs/metrics.md."),
    ]

    /// The help as styled lines for a given width: the keys, then what each readout means.
    static func lines(width: Int, themeName: String) -> [(text: String, style: Style, indent: Int)] {
        var lines: [(String, Style, Int)] = [("Keys", Style(.title, bold: true), 0)]
        for (key, meaning) in keyTable {
            lines.append((Format.pad(key, 21) + meaning, Style(.foreground), 1))
        }
        lines.append(("", Style(.foreground), 0))
        lines.append(("What the readouts mean", Style(.title, bold: true), 0))
        for (title, paragraph) in readouts {
            for (k, line) in wrap(title + ": " + paragraph, width: width - 2, first: true, rest: width - 2).enumerated() {
                lines.append((line, k == 0 ? Style(.foreground, bold: true) : Style(.foreground), 1))
            }
        }
        lines.append(("", Style(.foreground), 0))
        lines.append(("Theme: \(themeName) (t to choose another)", Style(.muted), 0))
        return lines
    }

    static func draw(_ state: WorkbenchState, _ view: ViewState, into grid: inout TextGrid, _ body: Rect) {
        let inner = body.inset(1)
        let all = lines(width: inner.width - 2, themeName: view.themeName)
        let first = max(0, min(view.helpScroll, all.count - inner.height))
        let more = all.count > inner.height ? " · lines \(first + 1)-\(min(all.count, first + inner.height)) of \(all.count), ↑/↓ scroll" : ""
        grid.box(body, title: "Help" + more)
        for (row, line) in all.dropFirst(first).prefix(inner.height).enumerated() {
            grid.text(line.text, x: inner.x + 1 + line.indent, y: inner.y + row, line.style, limit: inner.width - 1 - line.indent)
        }
    }

    /// Splits `text` into lines of at most `first` characters for the first line and `rest` after.
    static func wrap(_ text: String, width first: Int, first isFirst: Bool, rest: Int) -> [String] {
        var lines: [String] = [], current = ""
        var limit = first
        for word in text.split(separator: " ") {
            if !current.isEmpty && current.count + 1 + word.count > limit {
                lines.append(current)
                current = ""
                limit = rest
            }
            current += (current.isEmpty ? "" : " ") + word
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}
