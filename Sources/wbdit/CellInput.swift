import CellData
import Foundation

/// Cells given to the analysis commands as they are (no preprocessing): an .h5ad's X or
/// a [cells, genes] .npy.
enum CellInput {
    /// The cells and, for .h5ad, the gene names. Non-finite values are refused.
    static func load(_ path: String) throws -> (CellMatrix, [String]?) {
        let (m, names): (CellMatrix, [String]?)
        if path.lowercased().hasSuffix(".h5ad") {
            let file = try AnnDataFile(path: path)
            (m, names) = (try file.matrix(), try? file.names("var"))
        } else {
            (m, names) = (try CellMatrix.load(npy: path), nil)
        }
        if let i = m.values.firstIndex(where: { !$0.isFinite }) {
            throw InputError("\(path): X holds \(m.values[i]) at cell \(i / m.genes), gene \(i % m.genes)")
        }
        return (m, names)
    }
}
