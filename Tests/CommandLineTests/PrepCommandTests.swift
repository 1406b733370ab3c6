import CellData
import Foundation
import Networks
import TestSupport
import XCTest

/// `wbdit prep` writes what scanpy would hold in X after the same steps.
final class PrepCommandTests: XCTestCase {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../CellDataTests/Fixtures").standardized.path

    func testPrepMatchesScanpyAndKeepsObs() throws {
        let out = NSTemporaryDirectory() + "prep-\(UUID().uuidString).h5ad"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let result = try CommandRunner.wbdit(["prep", fixtures + "/zeisel-slice.h5ad", "--out", out, "--top-genes", "100"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let prepared = try AnnDataFile(path: out)
        let genes = try NumpyArray(contentsOf: fixtures + "/zeisel-slice-hvg100.npy").values.map { Int($0) }
        let scanpy = try NumpyArray(contentsOf: fixtures + "/zeisel-slice-lognorm.npy")
        let expected = (0..<201).flatMap { c in genes.map { scanpy.values[c * 400 + $0] } }
        XCTAssertLessThanOrEqual(relativeDifference(try prepared.matrix().values, expected), 1e-6)
        let source = try AnnDataFile(path: fixtures + "/zeisel-slice.h5ad")
        XCTAssertEqual(try prepared.names("var"), genes.map { try! source.names("var")[$0] })
        XCTAssertEqual(try prepared.column("level1"), try source.column("level1"))
        XCTAssertEqual(try prepared.column("level2_id"), try source.column("level2_id"))
    }

    /// Streamed, prep writes the file it writes reading the cells whole, bit for bit, with
    /// a cell filter in play (obs follows the cells kept), and says which genes it chose.
    func testStreamingWritesWhatReadingWholeWrites() throws {
        let outs = (0..<2).map { _ in NSTemporaryDirectory() + "prep-\(UUID().uuidString).h5ad" }
        defer { for out in outs { try? FileManager.default.removeItem(atPath: out) } }
        for (out, reading) in zip(outs, ["--streaming", "--in-memory"]) {
            let result = try CommandRunner.wbdit(["prep", fixtures + "/zeisel-slice.h5ad", "--out", out, "--top-genes", "100",
                                                  "--min-genes", "300", reading])
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertFalse(result.stdout.contains("genes kept"), result.stdout)
        }
        let files = try outs.map { try AnnDataFile(path: $0) }
        XCTAssertEqual(try files[0].matrix(), try files[1].matrix())
        XCTAssertLessThan(try files[0].shape().cells, 201, "the filter dropped cells")
        XCTAssertEqual(try files[0].names("obs"), try files[1].names("obs"))
        XCTAssertEqual(try files[0].column("level1"), try files[1].column("level1"))
        XCTAssertEqual(try files[0].names("var"), try files[1].names("var"))
    }

    /// A table's first column and a 10x folder's barcodes name the cells prep writes, for
    /// the cells a filter keeps.
    func testPrepKeepsTheCellNamesOfTablesAnd10xFolders() throws {
        for input in ["counts.csv", "tenx"] {
            let out = NSTemporaryDirectory() + "prep-\(UUID().uuidString).h5ad"
            defer { try? FileManager.default.removeItem(atPath: out) }
            let result = try CommandRunner.wbdit(["prep", fixtures + "/" + input, "--out", out, "--top-genes", "0", "--min-genes", "2"])
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertEqual(try AnnDataFile(path: out).names("obs"), ["AAAC-1", "AACT-1", "ACGT-1"], input)
        }
    }

    func testFewerGenesThanTopGenesKeepsThemAll() throws {
        let out = NSTemporaryDirectory() + "prep-\(UUID().uuidString).h5ad"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let result = try CommandRunner.wbdit(["prep", fixtures + "/zeisel-slice.h5ad", "--out", out, "--top-genes", "500"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("all 400 genes kept (no more than --top-genes 500)"), result.stdout)
        XCTAssertEqual(try AnnDataFile(path: out).shape().genes, 400)
    }

    func testPrepRefusesWhatItCannotDo() throws {
        let out = NSTemporaryDirectory() + "prep-\(UUID().uuidString).h5ad"
        for (arguments, text) in [
            (["--flavor", "cell_ranger"], "cell_ranger"),
            (["--min-genes", "100000"], "no cells or no genes are left"),
            (["--labels", "celltype"], "obs has no column celltype (it has level1"),
        ] {
            let result = try CommandRunner.wbdit(["prep", fixtures + "/zeisel-slice.h5ad", "--out", out] + arguments)
            XCTAssertEqual(result.status, 2, "\(arguments)")
            XCTAssertTrue(result.stderr.contains(text), "\(arguments): \(result.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        }
    }
}
