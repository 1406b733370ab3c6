import Analysis
import ArgumentParser
import CellData
import Foundation

/// `wbdit eval`: how close generated cells are to real ones.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare generated cells with real cells, each metric beside its real-vs-real floor.",
        discussion: """
        Both files hold cells × genes over the same genes in the same order (.h5ad X or \
        .npy), as `wbdit prep` and `wbdit sample` write them. The floor of a metric is its \
        value between two random halves of the real cells. Definitions: docs/metrics.md.

        Example:
          wbdit eval --real heldout.h5ad --generated runs/demo/samples/generated.h5ad
        """
    )

    @Option(help: "Real cells (.h5ad or .npy).")
    var real: String
    @Option(help: "Generated cells (.h5ad or .npy).")
    var generated: String
    @Option(help: "Principal components for MMD and the Fréchet distance.")
    var components: Int = 50
    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func run() throws {
        guard components >= 1 else { throw InputError("--components must be at least 1") }
        let (a, namesA) = try Self.load(real), (b, namesB) = try Self.load(generated)
        guard a.genes == b.genes else { throw InputError("\(real) has \(a.genes) genes but \(generated) has \(b.genes)") }
        if let namesA, let namesB, namesA != namesB {
            throw InputError("\(real) and \(generated) name their genes differently: compare cells over the same genes, in the same order")
        }
        guard a.cells >= 4, b.cells >= 2 else { throw InputError("too few cells to compare (\(a.cells) real, \(b.cells) generated)") }
        let evaluation = Evaluation(real: a, generated: b, components: components)
        if json {
            let fields = evaluation.rows.flatMap { row in
                [("\"\(row.key)\"", Self.number(row.generated)), ("\"\(row.key)_floor\"", Self.number(row.floor))]
            } + [("\"real_cells\"", String(a.cells)), ("\"generated_cells\"", String(b.cells)), ("\"genes\"", String(a.genes))]
            print("{" + fields.map { "\($0.0):\($0.1)" }.joined(separator: ",") + "}")
        } else {
            print("\(a.cells) real cells, \(b.cells) generated, \(a.genes) genes")
            print(Table([["metric", "generated", "real vs real"]] + evaluation.rows.map {
                [$0.name, String(format: "%.4f", $0.generated), String(format: "%.4f", $0.floor)]
            }).text)
        }
    }

    private static func number(_ v: Double) -> String { v.isFinite ? String(format: "%.8g", v) : "null" }

    /// Cells and, for .h5ad, gene names.
    private static func load(_ path: String) throws -> (CellMatrix, [String]?) {
        do {
            if path.lowercased().hasSuffix(".h5ad") {
                let file = try AnnDataFile(path: path)
                let m = try file.matrix()
                if let i = m.values.firstIndex(where: { !$0.isFinite }) {
                    throw InputError("\(path): X holds \(m.values[i]) at cell \(i / m.genes), gene \(i % m.genes)")
                }
                return (m, try? file.names("var"))
            }
            return (try CellMatrix.load(npy: path), nil)
        } catch let error as HDF5Error {
            throw InputError(error.description)
        }
    }
}
