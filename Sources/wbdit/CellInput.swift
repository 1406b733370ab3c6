import CellData
import Foundation

/// Cells given to the analysis commands as they are (no preprocessing): an .h5ad's X or
/// a [cells, genes] .npy; other formats are sent to `wbdit prep`.
enum CellInput {
    /// The cells and, for .h5ad, the gene names. Non-finite values are refused.
    static func load(_ path: String) throws -> (CellMatrix, [String]?) {
        let (m, names): (CellMatrix, [String]?)
        if path.lowercased().hasSuffix(".h5ad") {
            let file = try AnnDataFile(path: path)
            let sources = try file.sources()
            guard sources.contains("X") else {
                // These commands take X as it is; prep makes an X from another matrix.
                throw InputError("\(path) has no X (it has \(sources.joined(separator: ", "))): make one with wbdit prep \(path) --source \(sources.first ?? "NAME") --out FILE.h5ad")
            }
            (m, names) = (try file.matrix(file.matrix(named: "X").name), try? file.names("var"))
        } else if path.lowercased().hasSuffix(".npy") {
            (m, names) = (try CellMatrix.load(npy: path), nil)
        } else {
            throw InputError("\(path): these commands read an .h5ad or a .npy as it is; make an .h5ad from it with wbdit prep \(path) --out FILE.h5ad")
        }
        guard m.cells >= 1, m.genes >= 1 else { throw InputError("\(path) holds \(m.cells) cells × \(m.genes) genes: nothing to work on") }
        if let i = m.values.firstIndex(where: { !$0.isFinite }) {
            throw InputError("\(path): X holds \(m.values[i]) at cell \(i / m.genes), gene \(i % m.genes)")
        }
        return (m, names)
    }

    /// Generated cells to score: an .h5ad as `wbdit sample` writes counts (X the counts,
    /// `layers["log1p_norm"]` their log-normalised values) gives both; any other file its
    /// values, taken as log-normalised, and no counts.
    static func generated(_ path: String) throws -> (cells: CellMatrix, geneNames: [String]?, counts: CellMatrix?) {
        let (x, names) = try load(path)
        guard path.lowercased().hasSuffix(".h5ad"), try AnnDataFile(path: path).sources().contains(logNormalisedLayer) else {
            return (x, names, nil)
        }
        let values = try AnnDataFile(path: path).matrix(logNormalisedLayer)
        guard values.cells == x.cells, values.genes == x.genes, values.values.allSatisfy(\.isFinite) else {
            throw InputError("\(path): \(logNormalisedLayer) is not the shape of X, or holds values that are not finite")
        }
        return (values, names, x)
    }

    /// Where `wbdit sample` writes the log-normalised values beside counts in X.
    static let logNormalisedLayer = "layers/log1p_norm"
}
