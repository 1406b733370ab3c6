import CellData
import Foundation
import XCTest

/// A 10x folder and CSV/TSV tables (`Tests/CellDataTests/Fixtures/make_text_fixtures.py`; scanpy reads the folder).
final class TextMatrixTests: XCTestCase {
    let counts: [Float] = [0, 1, 0, 3, 2, 0, 0, 0, 0, 0, 5, 1, 1, 1, 1, 1, 0, 7, 0, 0]
    let genes = ["Snap25", "Gfap", "Mbp", "Cx3cr1"]

    func testTenXFolder() throws {
        let m = try TextMatrix.tenX(Fixture.path("tenx"))
        XCTAssertEqual(m.matrix, CellMatrix(cells: 5, genes: 4, values: counts))
        XCTAssertEqual(m.geneNames, genes)
        XCTAssertEqual(m.cellNames.first, "AAAC-1")
    }

    func testTablesWithAndWithoutCellNames() throws {
        let csv = try TextMatrix.table(Fixture.path("counts.csv"))
        XCTAssertEqual(csv.matrix.values, counts)
        XCTAssertEqual(csv.geneNames, genes)
        XCTAssertEqual(csv.cellNames, ["AAAC-1", "AAAG-1", "AACT-1", "ACGT-1", "TTTA-1"])
        let tsv = try TextMatrix.table(Fixture.path("counts.tsv"))
        XCTAssertEqual(tsv.matrix.values, counts)
        XCTAssertEqual(tsv.cellNames, ["cell0", "cell1", "cell2", "cell3", "cell4"])
    }

    func testEveryFormatPreparesTheSameCells() throws {
        let reference = try CellLoader.load(Fixture.path("csr.h5ad"), Preparation(topGenes: nil))
        for path in ["tenx", "counts.csv", "counts.tsv"] {
            let prepared = try CellLoader.load(Fixture.path(path), Preparation(topGenes: nil))
            XCTAssertEqual(prepared.matrix, reference.matrix, path)
            XCTAssertEqual(prepared.steps, ["normalize_total(target_sum=1e4)", "log1p"], path)
            XCTAssertEqual(prepared.geneNames, genes, path)
        }
    }

    /// Quoted names, as R's write.csv writes them, may hold commas and doubled quotes.
    func testQuotedFields() throws {
        let path = NSTemporaryDirectory() + "quoted-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("\"\",\"Snap25\",\"HLA-A,B\",\"x\"\"y\"\n\"c,1\",1,0,2\n\"c2\",0,3,1\n".utf8).write(to: URL(fileURLWithPath: path))
        let table = try TextMatrix.table(path)
        XCTAssertEqual(table.geneNames, ["Snap25", "HLA-A,B", "x\"y"])
        XCTAssertEqual(table.cellNames, ["c,1", "c2"])
        XCTAssertEqual(table.matrix.values, [1, 0, 2, 0, 3, 1])
    }

    func testMalformedTextIsNamed() throws {
        let path = NSTemporaryDirectory() + "bad-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "cell,a,b\nc1,1,2\nc2,3,x\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TextMatrix.table(path)) { XCTAssertTrue("\($0)".contains("line 3: \"x\" in column b"), "\($0)") }
        try "cell,a,b\nc1,1\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TextMatrix.table(path)) { XCTAssertTrue("\($0)".contains("line 2: 1 values for 3 genes"), "\($0)") }
        XCTAssertThrowsError(try TextMatrix.tenX(NSTemporaryDirectory())) { XCTAssertTrue("\($0)".contains("not a 10x folder"), "\($0)") }
        XCTAssertThrowsError(try CellLoader.load("/tmp/cells.parquet")) { XCTAssertTrue("\($0)".contains("not a cell file this tool reads"), "\($0)") }
    }

    /// A Matrix Market file cut short is named as such, at a line's end or part-way through one.
    func testACutShortMatrixMarketFileIsNamed() throws {
        let folder = NSTemporaryDirectory() + "cut-tenx-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "g1\tA\ng2\tB\n".write(toFile: folder + "/features.tsv", atomically: true, encoding: .utf8)
        try "c1\nc2\nc3\n".write(toFile: folder + "/barcodes.tsv", atomically: true, encoding: .utf8)
        let header = "%%MatrixMarket matrix coordinate integer general\n2 3 3\n1 1 4\n"
        for (body, message) in [("", "lists 1 entries, not the 3 its size line says"),
                                ("2 3", "ends part-way through entry 2 of the 3 its size line says: the file is cut short"),
                                ("2 3 x\n1 2 1\n", "entry 2: \"2 3 x\" is not a valid entry")] {
            try (header + body).write(toFile: folder + "/matrix.mtx", atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try TextMatrix.tenX(folder)) { XCTAssertTrue("\($0)".contains(message), "\($0)") }
        }
    }

    /// A gzip stream cut short is refused, not read as far as it goes (zlib gives no error
    /// from the read itself, only from gzerror at the end).
    func testATruncatedGzipIsRefused() throws {
        let rows = (0..<400).map { c in "c\(c)," + (0..<20).map { String(($0 * 7 + c * 3) % 11) }.joined(separator: ",") }
        let text = "cell," + (0..<20).map { "g\($0)" }.joined(separator: ",") + "\n" + rows.joined(separator: "\n") + "\n"
        let plain = NSTemporaryDirectory() + "cut-\(UUID().uuidString).csv"
        try text.write(toFile: plain, atomically: true, encoding: .utf8)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-f", plain]
        try gzip.run()
        gzip.waitUntilExit()
        let path = plain + ".gz"
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertEqual(try TextMatrix.table(path).matrix.cells, 400, "the whole file reads")
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try TextMatrix.table(path)) { XCTAssertTrue("\($0)".contains("truncated or corrupt"), "\($0)") }
    }
}
