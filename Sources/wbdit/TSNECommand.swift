import Analysis
import ArgumentParser
import CellData
import Foundation
import Storage
import Networks
import TextUI

/// `wbdit tsne`: a t-SNE map of real cells, with generated cells placed on it.
struct TSNECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tsne",
        abstract: "Map cells to 2-D with t-SNE (openTSNE's defaults); place generated cells on the real map.",
        discussion: """
        The real cells' top principal components (fitted on them) are embedded with \
        perplexity 30, early exaggeration 12 for 250 iterations, then 500 more; exact \
        affinities and gradients up to --exact-limit cells, then affinities over the \
        3·perplexity nearest neighbours with Barnes-Hut's repulsion (θ = 0.5), and from \
        --interpolation-from cells the repulsion interpolated on a grid and convolved by FFT \
        (FIt-SNE, as openTSNE does for large maps). Cells of the files after the first are projected on \
        the same components and placed on the finished map without moving it, as \
        openTSNE's transform does. The map is written as CSV (cell, source, label, x, y).

        Example:
          wbdit tsne sample-data/zeisel2015.h5ad runs/demo/samples/generated.h5ad \\
                     --labels level1 --out map.csv --plot
        """
    )

    @Argument(help: "Cells: the first file is mapped, the others are placed on its map. .h5ad X goes through PCA (fitted on the first file); a .npy with at most --components columns is taken as points.")
    var files: [String]
    @Option(help: "An obs column of the first file (.h5ad) to label and colour its cells by (e.g. a cell type).")
    var labels: String?
    @Option(help: "Principal components to embed.")
    var components: Int = 50
    @Option(help: "The perplexity: the effective number of neighbours each cell keeps.")
    var perplexity: Double = 30
    @Option(name: .customLong("exact-limit"), help: "Up to this many cells, exact affinities and gradients; Barnes-Hut above.")
    var exactLimit: Int = 1000
    @Option(name: .customLong("interpolation-from"), help: "From this many cells, the repulsion by FFT interpolation rather than Barnes-Hut.")
    var interpolationFrom: Int = 50_000
    @Option(help: "Random seed (PCA and the initial jitter).")
    var seed: UInt64 = 0
    @Option(help: "Write the map: .npy ([cells, 2] float32, all files in order) or .csv (cell, source, label, x, y).")
    var out: String?
    @Flag(help: "Draw the map on stdout: braille dots, one colour per file (or per label with --labels), with a legend.")
    var plot = false
    @Flag(help: "Draw with plain ASCII characters.")
    var ascii = false

    func run() throws {
        guard !files.isEmpty else { throw InputError("give at least one file of cells") }
        guard components >= 2 else { throw InputError("--components must be at least 2 (got \(components))") }
        guard perplexity >= 1, perplexity.isFinite else { throw InputError("--perplexity must be at least 1 (got \(perplexity))") }
        if let out { guard out.hasSuffix(".npy") || out.hasSuffix(".csv") else { throw InputError("--out must end in .npy or .csv") } }
        let inputs = try files.map { try CellInput.load($0) }
        let (real, genes) = inputs[0]
        guard real.cells >= 4 else { throw InputError("\(files[0]) has \(real.cells) cells: too few for a map") }
        for (file, (m, names)) in zip(files, inputs).dropFirst() {
            guard m.genes == real.genes else { throw InputError("\(file) has \(m.genes) genes but \(files[0]) has \(real.genes)") }
            if let genes, let names, genes != names {
                throw InputError("\(files[0]) and \(file) name their genes differently: place cells over the same genes, in the same order")
            }
        }
        let cellLabels = try labels.map { column -> [String] in
            guard files[0].lowercased().hasSuffix(".h5ad") else { throw InputError("--labels needs an .h5ad first file") }
            return try AnnDataFile(path: files[0]).labels(column)
        }

        let started = DispatchTime.now().uptimeNanoseconds
        // Points: PCs fitted on the first file, unless the first file already is points.
        let asPoints = files[0].lowercased().hasSuffix(".npy") && real.genes <= components
        let pca = asPoints ? nil : PCA(fitting: real, components: min(components, real.genes, real.cells), seed: seed)
        let project = { (m: CellMatrix) in pca?.transform(m) ?? m }
        var settings = TSNESettings()
        settings.perplexity = perplexity
        settings.exactLimit = exactLimit
        settings.interpolationFrom = interpolationFrom
        settings.seed = seed
        settings.parallel = true
        let progress = ProgressLine()
        progress.update("t-SNE: affinities of \(real.cells) cells")
        let map = TSNE(points: project(real), settings: settings)
        while !map.isFinished {
            map.iterate(10)
            progress.update("t-SNE \(Format.bar(Double(map.iteration) / Double(map.totalIterations))) iteration \(map.iteration)/\(map.totalIterations)\(map.isExaggerating ? " (early exaggeration)" : "")")
        }
        let kl = map.klDivergence()
        var placed: [CellMatrix] = []
        for (file, (m, _)) in zip(files, inputs).dropFirst() {
            let p = TSNEPlacement(project(m), on: map)
            while !p.isFinished {
                p.iterate(10)
                progress.update("placing \(m.cells) cells of \(file): iteration \(p.iteration)/\(p.settings.iterations)")
            }
            placed.append(p.embedding)
        }
        progress.finish()
        let method = map.repulsion == .barnesHut ? "Barnes-Hut θ = \(settings.theta)" : map.repulsion.rawValue
        let space = pca.map { "\($0.count) PCs" } ?? "\(real.genes) dimensions"
        let used = map.perplexity < perplexity ? String(format: "%.3g, lowered from %g for %d cells", map.perplexity, perplexity, real.cells)
                                                 : String(format: "%g", perplexity)
        print(String(format: "t-SNE of %d cells (%@, perplexity %@, %@): KL divergence %.4f, %@", real.cells, space,
                     used, method, kl, Format.seconds(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)))
        for (file, p) in zip(files.dropFirst(), placed) { print("placed \(p.cells) cells of \(file) on the map") }

        let maps = [map.embedding] + placed
        if let out {
            if out.hasSuffix(".npy") {
                try CellMatrix(cells: maps.reduce(0) { $0 + $1.cells }, genes: 2, values: maps.flatMap(\.values)).write(npy: out)
            } else {
                var csv = "cell,source,label,x,y\n"
                for (k, m) in maps.enumerated() {
                    let source = CSVField.escape(k == 0 ? files[0] : files[k])
                    for i in 0..<m.cells {
                        let label = k == 0 ? CSVField.escape(cellLabels?[i] ?? "") : ""
                        csv += "\(i),\(source),\(label),\(m.values[2 * i]),\(m.values[2 * i + 1])\n"
                    }
                }
                try AtomicFile.write(Data(csv.utf8), to: out)
            }
            print("wrote \(out)")
        }
        if plot { draw(maps, labels: cellLabels) }
    }

    /// The map on stdout, coloured per file or per label, then the legend.
    private func draw(_ maps: [CellMatrix], labels: [String]?) {
        var legend: [(Role, String)] = []
        var layers: [ScatterPlot.Layer] = []
        if let labels {
            var names: [String] = []
            for l in labels where !names.contains(l) { names.append(l) }
            let counts = Dictionary(grouping: labels, by: { $0 }).mapValues(\.count)
            names.sort { (counts[$0]!, $1) > (counts[$1]!, $0) }
            let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
            layers.append(ScatterPlot.Layer(points: maps[0].values, roles: labels.map { Role.label(index[$0]!) }))
            legend += names.map { (Role.label(index[$0]!), "\($0) (\(counts[$0]!))") }
        } else {
            layers.append(ScatterPlot.Layer(points: maps[0].values, roles: Array(repeating: .real, count: maps[0].cells)))
            legend.append((.real, "\(files[0]) (\(maps[0].cells))"))
        }
        for (k, m) in maps.enumerated().dropFirst() {
            let role = labels == nil ? (k == 1 ? Role.generated : Role.series(k + 1)) : Role.series(k - 1)
            layers.append(ScatterPlot.Layer(points: m.values, roles: Array(repeating: role, count: m.cells)))
            legend.append((role, "\(files[k]) (\(m.cells), placed)"))
        }
        var grid = TextGrid(width: 78, height: 24 + legend.count, glyphs: ascii ? .ascii : .unicode)
        ScatterPlot(layers: layers).draw(into: &grid, Rect(x: 0, y: 0, width: 78, height: 24))
        for (i, entry) in legend.enumerated() {
            grid.put(ascii ? "*" : "●", x: 1, y: 24 + i, Style(entry.0))
            grid.text(entry.1, x: 3, y: 24 + i, Style(.foreground))
        }
        let colour = isatty(STDOUT_FILENO) == 1 && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
        print(colour ? ANSIText.render(grid) : grid.dump(), terminator: "")
    }
}

/// A CSV field, quoted when it must be.
enum CSVField {
    static func escape(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
