import CellData
import Foundation
import XCTest

/// `.h5ad` files written by anndata 0.12 (`Tests/CellDataTests/Fixtures/make_h5ad_fixtures.py`).
final class AnnDataFileTests: XCTestCase {
    let counts: [Float] = [0, 1, 0, 3,
                           2, 0, 0, 0,
                           0, 0, 5, 1,
                           1, 1, 1, 1,
                           0, 7, 0, 0]

    func testCSRCountsAndTheDataframes() throws {
        let file = try AnnDataFile(path: Fixture.path("csr.h5ad"))
        XCTAssertEqual(try file.encoding(), .csr)
        XCTAssertEqual(try file.shape().cells, 5)
        XCTAssertEqual(try file.matrix(), CellMatrix(cells: 5, genes: 4, values: counts))
        XCTAssertEqual(try file.names("obs"), ["cell0", "cell1", "cell2", "cell3", "cell4"])
        XCTAssertEqual(try file.names("var"), ["Snap25", "Gfap", "Mbp", "Cx3cr1"])
        XCTAssertEqual(try file.columns("obs"), ["barcode", "cell_type", "cluster", "n_genes", "passed", "score"])
        XCTAssertEqual(try file.column("cell_type"), ["neuron", "glia", "neuron", "glia", "microglia"])
        XCTAssertEqual(try file.column("cluster"), ["3", "1", "3", "2", "1"], "numeric categories")
        XCTAssertEqual(try file.column("barcode"), ["AAAC", "AAAG", "AACT", "ACGT", "TTTA"])
        XCTAssertEqual(try file.column("n_genes"), ["2", "1", "2", "4", "1"])
        XCTAssertEqual(try file.column("passed"), ["1", "0", "1", "1", "0"])
        XCTAssertEqual(try file.column("score"), ["0.5", "1.25", "-2", "0", "3.5"])
    }

    func testDenseRawAndLayersWithInt64Indices() throws {
        let file = try AnnDataFile(path: Fixture.path("dense.h5ad"))
        XCTAssertEqual(try file.sources(), ["X", "raw/X", "layers/counts"])
        XCTAssertEqual(try file.encoding(), .dense)
        let logged = try file.matrix()
        for (value, count) in zip(logged.values, counts) { XCTAssertEqual(value, Float(log1p(Double(count))), accuracy: 1e-6) }
        XCTAssertFalse(try file.storesIntegers())
        XCTAssertEqual(try file.matrix("raw/X").values, counts)
        XCTAssertTrue(try file.storesIntegers("raw/X"))
        XCTAssertEqual(try file.encoding(of: "layers/counts"), .csc)
        XCTAssertEqual(try file.matrix("layers/counts").values, counts, "CSC with int64 indices, transposed back")
    }

    /// `info`'s summary, read a block at a time (rows of a dense matrix, stored values of a
    /// sparse one), is the summary of the whole matrix, for every block size.
    func testValueSummariesReadInBlocksAgreeWithTheWholeMatrix() throws {
        for (name, source) in [("csr.h5ad", "X"), ("dense.h5ad", "X"), ("dense.h5ad", "raw/X"), ("dense.h5ad", "layers/counts")] {
            let file = try AnnDataFile(path: Fixture.path(name))
            var whole = MatrixValueSummary()
            try file.matrix(source).values.withUnsafeBufferPointer { whole.add($0) }
            for block in [1, 3, 4, 7, 1 << 22] {
                XCTAssertEqual(try file.valueSummary(of: source, blockValues: block), whole, "\(name) \(source), blocks of \(block)")
            }
        }
        let counts = try AnnDataFile(path: Fixture.path("csr.h5ad")).valueSummary(of: "X", blockValues: 2)
        XCTAssertEqual([counts.entries, counts.zeros, counts.notFinite], [20, 10, 0])
        XCTAssertEqual([counts.low, counts.high], [0, 7])
        XCTAssertTrue(counts.integral)
        let logged = try AnnDataFile(path: Fixture.path("dense.h5ad")).valueSummary(of: "X")
        XCTAssertFalse(logged.integral)
        XCTAssertEqual(logged.high, Float(log1p(7.0)), accuracy: 1e-6)
    }

    /// X set to None (the counts in a layer) and pandas' nullable Int64 and boolean columns.
    func testNoXAndNullableColumns() throws {
        let file = try AnnDataFile(path: Fixture.path("nullable-no-x.h5ad"))
        XCTAssertEqual(try file.sources(), ["layers/counts"])
        XCTAssertEqual(try file.matrix("layers/counts").values, counts)
        XCTAssertThrowsError(try file.matrix(named: "X")) {
            XCTAssertTrue("\($0)".contains("has no X (it has layers/counts: pick one with --source)"), "\($0)")
        }
        XCTAssertEqual(try file.kind(ofColumn: "n_genes"), .numbers)
        XCTAssertEqual(try file.column("n_genes"), ["2", "", "2", "4", "1"])
        XCTAssertEqual(try file.numbers("n_genes").map { $0.isNaN ? -1 : $0 }, [2, -1, 2, 4, 1])
        XCTAssertEqual(try file.column("passed"), ["1", "0", "", "1", "0"])
        XCTAssertEqual(try file.column("cell_type"), ["neuron", "", "neuron", "glia", "microglia"], "a missing category")
    }

    func testLegacyCategoriesLayout() throws {
        let file = try AnnDataFile(path: Fixture.path("legacy-categories.h5ad"))
        XCTAssertEqual(try file.columns("obs"), ["cell_type"])
        XCTAssertEqual(try file.column("cell_type"), ["neuron", "glia", "neuron", "glia", "microglia"])
        XCTAssertEqual(try file.names("obs").count, 5)
        XCTAssertEqual(try file.matrix().values, counts)
    }

    /// anndata 0.6: compound obs/var tables, categories in uns, an h5sparse-marked CSR X.
    func testLegacyCompoundLayout() throws {
        let file = try AnnDataFile(path: Fixture.path("legacy-compound.h5ad"))
        XCTAssertEqual(try file.encoding(), .csr)
        XCTAssertEqual(try file.matrix().values, counts)
        XCTAssertEqual(try file.names("obs"), ["cell0", "cell1", "cell2", "cell3", "cell4"])
        XCTAssertEqual(try file.names("var"), ["Snap25", "Gfap", "Mbp", "Cx3cr1"])
        XCTAssertEqual(try file.columns("obs"), ["cell_type", "n_genes", "score"])
        XCTAssertEqual(try file.column("cell_type"), ["neuron", "glia", "neuron", "glia", "microglia"])
        XCTAssertEqual(try file.column("n_genes"), ["2", "1", "2", "4", "1"])
        XCTAssertEqual(try file.numbers("score"), [0.5, 1.25, -2, 0, 3.5])
        XCTAssertEqual(try file.kind(ofColumn: "cell_type"), .categorical)
        XCTAssertEqual(try file.kind(ofColumn: "score"), .numbers)
    }

    /// scanpy's own bundled example, written by anndata before 0.7: a scaled X, the raw
    /// matrix as the root's raw.X (h5sparse) with raw.var, compound obs with categories in
    /// uns. Read as anndata 0.12 reads it (`Tests/CellDataTests/Fixtures/make_legacy_fixture.py`).
    func testScanpysLegacyExampleReadsAsAnnDataReadsIt() throws {
        let path = Fixture.path("scanpy-pbmc68k-reduced.h5ad")
        let expected = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Fixture.path("scanpy-pbmc68k-reduced.json")))) as? [String: Any])
        let file = try AnnDataFile(path: path)
        XCTAssertEqual(try file.sources(), ["X", "raw.X"])
        let (name, alternatives) = try file.matrix(named: "raw")
        XCTAssertEqual(name, "raw.X")
        XCTAssertEqual(alternatives, ["--source X"])
        let raw = try file.matrix(name)
        XCTAssertEqual([raw.cells, raw.genes], expected["raw_shape"] as? [Int])
        XCTAssertEqual(raw.values.reduce(0.0) { $0 + Double($1) }, try XCTUnwrap(expected["raw_sum"] as? Double), accuracy: 1e-2)
        XCTAssertEqual(Array(try XCTUnwrap(file.geneNames(of: name, genes: raw.genes)).prefix(5)), expected["raw_gene_names_head"] as? [String])
        XCTAssertEqual(Array(try file.column("bulk_labels").prefix(5)), expected["bulk_labels_head"] as? [String])
        // Its X is scaled: refused, pointing at the raw values it also holds.
        XCTAssertThrowsError(try CellLoader.load(path)) {
            XCTAssertTrue("\($0)".contains("negative values (scaled data)") && "\($0)".contains("--source raw"), "\($0)")
        }
        let prepared = try CellLoader.load(path, Preparation(source: "raw", topGenes: nil))
        XCTAssertEqual(prepared.matrix.genes, 765)
    }

    func testBadFilesAndMissingPartsAreOneLineErrors() throws {
        let notHDF5 = NSTemporaryDirectory() + "plain-\(UUID().uuidString).h5ad"
        try Data("hello".utf8).write(to: URL(fileURLWithPath: notHDF5))
        defer { try? FileManager.default.removeItem(atPath: notHDF5) }
        let cases: [(() throws -> Any, String)] = [
            ({ try AnnDataFile(path: notHDF5) }, "is not an HDF5 file"),
            ({ try AnnDataFile(path: "/nonexistent/x.h5ad") }, "no such file"),
            ({ try AnnDataFile(path: Fixture.path("csr.h5ad")).matrix("layers/none") }, "has no layers/none"),
            ({ try AnnDataFile(path: Fixture.path("csr.h5ad")).column("batch") }, "obs has no column batch (it has barcode"),
        ]
        for (call, text) in cases {
            XCTAssertThrowsError(try call()) { error in
                XCTAssertTrue("\(error)".contains(text), "“\(error)” does not mention “\(text)”")
                XCTAssertFalse("\(error)".contains("\n"))
            }
        }
    }
}
