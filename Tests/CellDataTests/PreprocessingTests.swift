import CellData
import Foundation
import TestSupport
import XCTest

/// Preprocessing against scanpy 1.11 on a slice of the real Zeisel data
/// (`Tests/CellDataTests/Fixtures/make_preprocessing_fixtures.py`; the .h5ad is gzip-compressed by anndata).
final class PreprocessingTests: XCTestCase {
    func counts() throws -> CellMatrix { try AnnDataFile(path: Fixture.path("zeisel-slice.h5ad")).matrix() }

    func testNormalizeTotalAndLog1pMatchScanpy() throws {
        var m = try counts()
        XCTAssertEqual([m.cells, m.genes], [201, 400])
        XCTAssertTrue(Preprocessing.isCounts(m))
        Preprocessing.normalizeTotal(&m)
        Preprocessing.log1p(&m)
        let expected = try NumpyArray(contentsOf: Fixture.path("zeisel-slice-lognorm.npy"))
        XCTAssertEqual(expected.shape, [201, 400])
        XCTAssertLessThanOrEqual(relativeDifference(m.values, expected.values), 1e-6)
        XCTAssertFalse(Preprocessing.isCounts(m))
    }

    func testSeuratHighlyVariableGenesMatchScanpy() throws {
        var m = try counts()
        Preprocessing.normalizeTotal(&m)
        Preprocessing.log1p(&m)
        for n in [50, 100] {
            let expected = try NumpyArray(contentsOf: Fixture.path("zeisel-slice-hvg\(n).npy")).values.map { Int($0) }
            let ours = Preprocessing.highlyVariableGenes(m, count: n)
            XCTAssertEqual(ours, expected, "n_top_genes \(n)")
        }
    }

    /// scanpy computes the LOESS trend on an interpolated k-d tree; we fit every point
    /// directly, so a gene may swap at the cut-off: Jaccard ≥ 0.98 is the bar.
    func testSeuratV3HighlyVariableGenesMatchScanpy() throws {
        let expected = Set(try NumpyArray(contentsOf: Fixture.path("zeisel-slice-hvg100-v3.npy")).values.map { Int($0) })
        let ours = Set(Preprocessing.highlyVariableGenesV3(try counts(), count: 100))
        XCTAssertEqual(ours.count, 100)
        let jaccard = Double(ours.intersection(expected).count) / Double(ours.union(expected).count)
        XCTAssertGreaterThanOrEqual(jaccard, 0.98, "Jaccard \(jaccard)")
        print("seurat_v3 Jaccard against scanpy: \(jaccard)")
    }

    func testCellAndGeneFiltersMatchScanpy() throws {
        let m = try counts()
        let cells = Preprocessing.cells(m, expressingAtLeast: 200)
        XCTAssertEqual(cells, try NumpyArray(contentsOf: Fixture.path("zeisel-slice-filter-cells.npy")).values.map { Int($0) })
        let genes = Preprocessing.genes(HeldOutSplit.rows(m, cells), expressedInAtLeast: 170)
        XCTAssertEqual(genes, try NumpyArray(contentsOf: Fixture.path("zeisel-slice-filter-genes.npy")).values.map { Int($0) })
        XCTAssertLessThan(cells.count, m.cells)
        XCTAssertLessThan(genes.count, m.genes)
    }

    func testScalingToUnitAndBack() throws {
        let prepared = try CellLoader.load(Fixture.path("zeisel-slice.h5ad"), Preparation(topGenes: 50, scaleGenes: true))
        let m = prepared.matrix, scale = try XCTUnwrap(prepared.geneScale)
        for j in 0..<m.genes {
            let column = (0..<m.cells).map { m.values[$0 * m.genes + j] }
            XCTAssertEqual(column.max(), 1, "gene \(j) peaks at 1")
            XCTAssertGreaterThanOrEqual(column.min()!, 0)
        }
        XCTAssertEqual(prepared.steps.last, "scale each gene to [0, 1] (divide by its maximum)")
        var restored = m.values
        Preprocessing.unscale(&restored, genes: m.genes, scale: scale)
        let unscaled = try CellLoader.load(Fixture.path("zeisel-slice.h5ad"), Preparation(topGenes: 50)).matrix
        XCTAssertLessThanOrEqual(relativeDifference(restored, unscaled.values), 1e-6)
    }

    /// A single cell varies in no gene: the seurat flavour's selection (whose dispersions
    /// are then all NaN, as in scanpy) says so rather than leaving a matrix of no genes.
    func testHighlyVariableGenesOfASingleCellIsAnError() throws {
        let path = NSTemporaryDirectory() + "one-cell-\(UUID().uuidString).h5ad"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try AnnDataWriter.write(CellMatrix(cells: 1, genes: 10, values: (0..<10).map { Float($0 % 4) }), to: path)
        XCTAssertThrowsError(try CellLoader.load(path, Preparation(topGenes: 5))) {
            XCTAssertTrue("\($0)".contains("highly_variable_genes kept no genes: none varies across a single cell"), "\($0)")
        }
        XCTAssertEqual(try CellLoader.load(path, Preparation(topGenes: nil)).matrix.genes, 10)
    }

    func testSelectGenesKeepsTheOrderGiven() {
        let m = CellMatrix(cells: 2, genes: 3, values: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(Preprocessing.selectGenes(m, [2, 0]).values, [3, 1, 6, 4])
    }
}
