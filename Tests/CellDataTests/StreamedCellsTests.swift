import CellData
import Foundation
import TestSupport
import XCTest

/// Streaming must prepare exactly the cells that reading the whole file prepares: the same
/// genes, names, steps, labels and scale, the same values bit for bit and the same library
/// sizes, whatever the block size. Small blocks (17 rows) put block boundaries everywhere.
final class StreamedCellsTests: XCTestCase {
    let zeisel = Fixture.path("zeisel-slice.h5ad")

    func assertSame(_ path: String, _ preparation: Preparation, labels: String? = nil, blockCells: Int = 17,
                    file: StaticString = #filePath, line: UInt = #line) throws {
        let whole = try CellLoader.load(path, preparation, labelsFrom: labels)
        let streamed = try StreamedCells(path: path, preparation: preparation, labelsFrom: labels, blockCells: blockCells)
        XCTAssertEqual(streamed.cells, whole.matrix.cells, file: file, line: line)
        XCTAssertEqual(streamed.genes, whole.matrix.genes, file: file, line: line)
        XCTAssertEqual(streamed.geneNames, whole.geneNames, file: file, line: line)
        XCTAssertEqual(streamed.steps, whole.steps, file: file, line: line)
        XCTAssertEqual(streamed.labels, whole.labels, file: file, line: line)
        XCTAssertEqual(streamed.cellRows, whole.cellRows, file: file, line: line)
        XCTAssertEqual(streamed.geneScale, whole.geneScale, file: file, line: line)
        XCTAssertEqual(try streamed.rows(Array(0..<streamed.cells)), whole.matrix, "every cell, in order", file: file, line: line)
        // A scattered, unordered subset, as a held-out set or a shuffled window asks for.
        let picks = (0..<streamed.cells).filter { $0 % 7 == 3 || $0 % 11 == 0 }.reversed().map { $0 }
        XCTAssertEqual(try streamed.rows(picks), HeldOutSplit.rows(whole.matrix, picks), file: file, line: line)
        // The library sizes behind counts, the same numbers, so streamed runs come out as counts too.
        XCTAssertEqual(streamed.holdsCounts, whole.librarySizes != nil && !whole.librarySizesRecovered, file: file, line: line)
        if streamed.holdsCounts {
            XCTAssertEqual(try streamed.librarySizes(picks), whole.librarySizes.map { sizes in picks.map { sizes[$0] } }, file: file, line: line)
        }
    }

    func testSeuratPipelineWithLabels() throws {
        try assertSame(zeisel, Preparation(topGenes: 100), labels: "level1")
    }

    func testSeuratV3PipelineOnCounts() throws {
        try assertSame(zeisel, Preparation(topGenes: 100, flavor: .seuratV3))
    }

    func testFiltersAndScaling() throws {
        try assertSame(zeisel, Preparation(topGenes: 60, minimumGenes: 200, minimumCells: 20, scaleGenes: true), labels: "level1")
        try assertSame(zeisel, Preparation(topGenes: nil, minimumCells: 5), blockCells: 1)
    }

    /// Values that are not whole numbers but larger than log-normalised values reach
    /// (estimated counts, TPM) are normalised and log-transformed as counts are, streamed or
    /// whole; log-normalised values pass through.
    func testEstimatedCountsAreNormalisedAndLogNormalisedValuesAreNot() throws {
        let counts = try AnnDataFile(path: zeisel).matrix()
        let path = NSTemporaryDirectory() + "estimated-\(UUID().uuidString).h5ad"
        defer { try? FileManager.default.removeItem(atPath: path) }
        // Per cell a factor that is not whole: what normalize_total takes out again.
        let estimated = CellMatrix(cells: counts.cells, genes: counts.genes,
                                   values: counts.values.enumerated().map { $1 * (1.37 + Float($0 / counts.genes % 5) * 0.11) })
        try AnnDataWriter.write(estimated, to: path)
        try assertSame(path, Preparation(topGenes: nil))
        let loaded = try CellLoader.load(path, Preparation(topGenes: nil))
        XCTAssertTrue(loaded.steps.first?.hasPrefix(Preprocessing.unloggedStepOpening + " up to") == true, "\(loaded.steps)")
        XCTAssertEqual(Array(loaded.steps.dropFirst()), ["normalize_total(target_sum=1e4)", "log1p"])
        let scanpy = try NumpyArray(contentsOf: Fixture.path("zeisel-slice-lognorm.npy"))
        XCTAssertLessThanOrEqual(relativeDifference(loaded.matrix.values, scanpy.values), 1e-5)
        XCTAssertNotNil(loaded.librarySizes)

        try AnnDataWriter.write(CellMatrix(cells: counts.cells, genes: counts.genes, values: scanpy.values), to: path)
        let logNormalised = try CellLoader.load(path, Preparation(topGenes: nil))
        XCTAssertEqual(logNormalised.matrix.values, scanpy.values, "passed through")
        XCTAssertFalse(logNormalised.steps.contains { $0.hasPrefix(Preprocessing.unloggedStepOpening) })
        try assertSame(path, Preparation(topGenes: nil))
    }

    func testOneBlockHoldingEverything() throws {
        try assertSame(zeisel, Preparation(topGenes: 50), blockCells: 10_000)
    }

    func testDenseMatricesAndOtherSources() throws {
        let dense = Fixture.path("dense.h5ad")
        try assertSame(dense, Preparation(topGenes: nil), blockCells: 2)
        try assertSame(dense, Preparation(source: "raw", topGenes: nil), blockCells: 3)
    }

    func testRowBlocksAreHyperslabsOfTheMatrix() throws {
        let file = try AnnDataFile(path: zeisel)
        let whole = try file.matrix()
        for range in [0..<1, 17..<34, 190..<201, 5..<5] {
            XCTAssertEqual(try file.rows(range), HeldOutSplit.rows(whole, Array(range)), "\(range)")
        }
        XCTAssertThrowsError(try file.rows(195..<202)) { XCTAssertTrue("\($0)".contains("outside X's 201 cells"), "\($0)") }
    }

    /// Rows out of gene order are sorted and a gene stored twice holds the sum, as scipy
    /// reads them, whether the file is read whole, by rows or streamed.
    func testUnsortedAndDuplicatedEntries() throws {
        let path = Fixture.path("broken/unsorted.h5ad")
        let file = try AnnDataFile(path: path)
        var expected = try AnnDataFile(path: Fixture.path("csr.h5ad")).matrix()
        expected.values[1 * 4 + 0] = 11
        XCTAssertEqual(try file.matrix(), expected)
        XCTAssertEqual(try file.rows(0..<5), expected)
        XCTAssertEqual(try file.sparseRows(1..<3), SparseRows(rows: 2, genes: 4, pointers: [0, 1, 3], indices: [0, 2, 3], values: [11, 5, 1]))
        try assertSame(path, Preparation(topGenes: nil), blockCells: 2)
    }

    func testWhatCannotBeStreamedIsNamed() throws {
        let cases: [(String, Preparation, String)] = [
            (Fixture.path("dense.h5ad"), Preparation(source: "layers/counts", topGenes: nil), "stored by gene (csc_matrix)"),
            (Fixture.path("broken/indices.h5ad"), Preparation(topGenes: nil), "indices holds"),
            (Fixture.path("broken/indptr.h5ad"), Preparation(topGenes: nil), "indptr is not increasing"),
            (Fixture.path("broken/nan.h5ad"), Preparation(topGenes: nil), "holds nan"),
            (Fixture.path("broken/negative.h5ad"), Preparation(topGenes: nil), "negative values"),
            (Fixture.path("broken/no-x.h5ad"), Preparation(topGenes: nil), "no X"),
            (zeisel, Preparation(topGenes: nil, minimumGenes: 100_000), "no cells or no genes are left"),
        ]
        for (path, preparation, text) in cases {
            XCTAssertThrowsError(try StreamedCells(path: path, preparation: preparation, blockCells: 2)) { error in
                XCTAssertTrue("\(error)".contains(text), "“\(error)” does not mention “\(text)”")
                XCTAssertFalse("\(error)".contains("\n"))
            }
        }
    }
}
