import Analysis
import ArgumentParser
import CellData
import Foundation
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
        affinities and gradients up to --exact-limit cells, Barnes-Hut (θ = 0.5) over the \
        3·perplexity nearest neighbours above. Cells given with --place are projected on \
        the same components and placed on the finished map without moving it, as \
        openTSNE's transform does. The map is written as CSV (cell, source, label, x, y).

        Example:
          wbdit tsne sample-data/zeisel2015.h5ad --labels level1 \\
                     --place runs/demo/samples/generated.h5ad --out map.csv --plot
        """
    )

    @Argument(help: "Real cells: .h5ad (X as it is, e.g. from `wbdit prep`) or a [cells, genes] .npy.")
    var input: String
    @Option(help: "Generated cells to place on the map (same genes, same order).")
    var place: String?
    @Option(help: "An obs column of the real cells to label them by (e.g. a cell type).")
    var labels: String?
    @Option(help: "Principal components to embed.")
    var components: Int = 50
    @Option(help: "The perplexity: the effective number of neighbours each cell keeps.")
    var perplexity: Double = 30
    @Option(name: .customLong("exact-limit"), help: "Up to this many cells, exact affinities and gradients; Barnes-Hut above.")
    var exactLimit: Int = 1000
    @Option(help: "Random seed (PCA and the initial jitter).")
    var seed: UInt64 = 0
    @Option(help: "Write the map here (.csv).")
    var out: String?
    @Flag(help: "Draw the map in the terminal (braille dots).")
    var plot = false
    @Flag(help: "Draw with plain ASCII characters.")
    var ascii = false

    func run() throws {
        guard components >= 2 else { throw InputError("--components must be at least 2 (got \(components))") }
        guard perplexity >= 1, perplexity.isFinite else { throw InputError("--perplexity must be at least 1 (got \(perplexity))") }
        let (real, genes) = try CellInput.load(input)
        guard real.cells >= 4 else { throw InputError("\(input) has \(real.cells) cells: too few for a map") }
        let cellLabels = try labels.map { column -> [String] in
            guard input.lowercased().hasSuffix(".h5ad") else { throw InputError("--labels needs an .h5ad input") }
            return try AnnDataFile(path: input).column(column)
        }
        var generated: CellMatrix?
        if let place {
            let (g, names) = try CellInput.load(place)
            guard g.genes == real.genes else { throw InputError("\(place) has \(g.genes) genes but \(input) has \(real.genes)") }
            if let genes, let names, genes != names {
                throw InputError("\(input) and \(place) name their genes differently: place cells over the same genes, in the same order")
            }
            generated = g
        }

        let started = DispatchTime.now().uptimeNanoseconds
        let pca = PCA(fitting: real, components: min(components, real.genes, real.cells), seed: seed)
        var settings = TSNESettings()
        settings.perplexity = perplexity
        settings.exactLimit = exactLimit
        settings.seed = seed
        settings.parallel = true
        let progress = ProgressLine()
        progress.update("t-SNE: affinities of \(real.cells) cells")
        let map = TSNE(points: pca.transform(real), settings: settings)
        while !map.isFinished {
            map.iterate(10)
            progress.update("t-SNE \(Format.bar(Double(map.iteration) / Double(map.totalIterations))) iteration \(map.iteration)/\(map.totalIterations)\(map.isExaggerating ? " (early exaggeration)" : "")")
        }
        let kl = map.klDivergence()
        var placement: TSNEPlacement?
        if let generated {
            let p = TSNEPlacement(pca.transform(generated), on: map)
            while !p.isFinished {
                p.iterate(10)
                progress.update("placing \(generated.cells) cells: iteration \(p.iteration)/\(p.settings.iterations)")
            }
            placement = p
        }
        progress.finish()
        let method = map.usesExactGradient ? "exact" : "Barnes-Hut θ = \(settings.theta)"
        print(String(format: "t-SNE of %d cells (%d PCs, perplexity %g, %@): KL divergence %.4f, %@",
                     real.cells, pca.count, perplexity, method, kl, Format.seconds(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)))
        if let placement { print("placed \(placement.count) cells on the map (\(placement.settings.iterations) iterations)") }

        if let out {
            var csv = "cell,source,label,x,y\n"
            let m = map.embedding
            for i in 0..<m.cells {
                csv += "\(i),real,\(CSVField.escape(cellLabels?[i] ?? "")),\(m.values[2 * i]),\(m.values[2 * i + 1])\n"
            }
            if let e = placement?.embedding {
                for i in 0..<e.cells { csv += "\(i),generated,,\(e.values[2 * i]),\(e.values[2 * i + 1])\n" }
            }
            try AtomicFile.write(Data(csv.utf8), to: out)
            print("wrote \(out)")
        }
        if plot {
            var grid = TextGrid(width: 78, height: 24, glyphs: ascii ? .ascii : .unicode)
            ScatterPlot(real: map.embedding.values, generated: placement?.embedding.values).draw(into: &grid, grid.bounds)
            print(grid.dump(), terminator: "")
            print(placement == nil ? "real cells" : "dots: real cells; half blocks mark cells where real and generated cells meet")
        }
    }
}

/// A CSV field, quoted when it must be.
enum CSVField {
    static func escape(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
