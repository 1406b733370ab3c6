import CellData
import Diffusion
import Foundation

/// Where `wbdit sample` writes its cells, a block at a time, so that a million cells pass
/// through bounded memory: an .h5ad (counts in X, their log-normalised values in
/// layers["log1p_norm"] and their sizes in obs; or the network's cells in X), a .npy or a
/// .csv (what `values` names). Nothing is in place until `finish`.
final class SampleOutput {
    private enum File {
        case h5ad(AnnDataWriter)
        case rows(CellRowsFile)
    }
    private let file: File
    private let values: Sample.GeneratedValues
    /// Whether counts are written (the run has a count model and they were asked for).
    let writesCounts: Bool
    private var totals: [Double] = [], detected: [Double] = [], librarySizes: [Double] = []

    init(path: String, cells: Int, genes: Int, geneNames: [String]?, values: Sample.GeneratedValues, counts: Bool) throws {
        (self.values, writesCounts) = (values, counts && values != .network)
        let lower = path.lowercased()
        if lower.hasSuffix(".h5ad") {
            file = .h5ad(try AnnDataWriter(path: path, cells: cells, genes: genes, layers: writesCounts ? ["log1p_norm"] : [],
                                           compress: writesCounts))
        } else {
            let names = geneNames ?? (0..<genes).map { "gene\($0)" }
            file = .rows(try CellRowsFile(path: path, format: lower.hasSuffix(".csv") ? .csv : .npy, cells: cells, genes: genes,
                                          geneNames: names))
        }
    }

    /// What the file holds, for the closing line.
    var description: String {
        switch (file, writesCounts) {
        case (.h5ad, true): "counts in X, log-normalised values in layers[\"log1p_norm\"]"
        case (.h5ad, false): "the network's cells in X"
        case (.rows, true): values == .counts ? "counts" : "log-normalised counts"
        case (.rows, false): "the network's cells"
        }
    }

    /// The next block of cells: the network's, and their counts when `writesCounts`.
    func append(_ cells: CellMatrix, counts: GeneratedCounts?, cellNames: [String]) throws {
        precondition(writesCounts == (counts != nil), "SampleOutput: counts were promised and not given, or the reverse")
        switch (file, counts) {
        case (.h5ad(let writer), let counts?):
            try writer.append(counts.counts, layers: [counts.logNormalised])
            totals += counts.totalCounts
            detected += counts.genesDetected
            librarySizes += counts.librarySizes.map(Double.init)
        case (.h5ad(let writer), nil):
            try writer.append(cells)
        case (.rows(let rows), let counts?):
            try rows.append(values == .counts ? counts.counts : counts.logNormalised, cellNames: cellNames)
        case (.rows(let rows), nil):
            try rows.append(cells, cellNames: cellNames)
        }
    }

    /// Writes obs (cell names, the `categories` given and, with counts, each cell's sizes) and puts the file in place.
    func finish(cellNames: [String], geneNames: [String]?, categories: [(name: String, values: [String])]) throws {
        switch file {
        case .h5ad(let writer):
            let numbers = writesCounts ? [("total_counts", totals), ("n_genes_by_counts", detected), ("library_size", librarySizes)] : []
            try writer.finish(cellNames: cellNames, geneNames: geneNames, categories: categories, numbers: numbers)
        case .rows(let rows):
            try rows.finish()
        }
    }
}
