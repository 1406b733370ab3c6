import CellData
import Foundation
import XCTest

/// Generated cells written as .h5ad read back with every annotation. (anndata itself reads
/// these files too: `python3 -c "import anndata; print(anndata.read_h5ad('cells.h5ad'))"`.)
final class AnnDataWriterTests: XCTestCase {
    func testWrittenFilesReadBack() throws {
        let path = NSTemporaryDirectory() + "written-\(UUID().uuidString).h5ad"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let cells = CellMatrix(cells: 3, genes: 2, values: [0, 1.5, 2, 0, 0.25, 7])
        try AnnDataWriter.write(cells, to: path, geneNames: ["Snap25", "Gfap"],
                                categories: [("origin", ["generated", "generated", "generated"]),
                                             ("cell_type", ["neuron", "glia", "neuron"])])
        let file = try AnnDataFile(path: path)
        XCTAssertEqual(try file.encoding(), .dense)
        XCTAssertEqual(try file.matrix(), cells)
        XCTAssertEqual(try file.names("obs"), ["cell0", "cell1", "cell2"])
        XCTAssertEqual(try file.names("var"), ["Snap25", "Gfap"])
        XCTAssertEqual(try file.columns("obs"), ["cell_type", "origin"])
        XCTAssertEqual(try file.column("cell_type"), ["neuron", "glia", "neuron"])
        XCTAssertEqual(try file.column("origin"), ["generated", "generated", "generated"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()).filter { $0.contains(".partial-") && $0.contains("written-") }, [])
    }

    /// Rows written a block at a time, with a layer, are the matrix written whole; a writer
    /// dropped before `finish` leaves nothing behind.
    func testBlocksOfRowsMakeTheWholeMatrix() throws {
        let path = NSTemporaryDirectory() + "written-\(UUID().uuidString).h5ad"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let cells = CellMatrix(cells: 5, genes: 3, values: (0..<15).map(Float.init))
        let doubled = CellMatrix(cells: 5, genes: 3, values: cells.values.map { 2 * $0 })
        let writer = try AnnDataWriter(path: path, cells: 5, genes: 3, layers: ["twice"], compress: true)
        for rows in [[0, 1], [2, 3, 4]] {
            try writer.append(HeldOutSplit.rows(cells, rows), layers: [HeldOutSplit.rows(doubled, rows)])
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "nothing in place before finish")
        try writer.finish(numbers: [("size", [1, 2, 3, 4, 5])])
        let file = try AnnDataFile(path: path)
        XCTAssertEqual(try file.matrix(), cells)
        XCTAssertEqual(try file.numbers("size"), [1, 2, 3, 4, 5])

        let dropped = NSTemporaryDirectory() + "written-\(UUID().uuidString).h5ad"
        do {
            let unfinished = try AnnDataWriter(path: dropped, cells: 5, genes: 3)
            try unfinished.append(HeldOutSplit.rows(cells, [0]))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dropped))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()).filter { $0.contains(".partial-") && $0.contains("written-") }, [])
    }

    /// .npy and .csv written a block of rows at a time read back as the whole matrix.
    func testRowFilesWrittenInBlocks() throws {
        let cells = CellMatrix(cells: 4, genes: 2, values: [0, 1.5, 2, 0, 0.25, 7, 3, 1])
        let npy = NSTemporaryDirectory() + "rows-\(UUID().uuidString).npy", csv = npy.replacingOccurrences(of: ".npy", with: ".csv")
        defer { for path in [npy, csv] { try? FileManager.default.removeItem(atPath: path) } }
        for (path, format) in [(npy, CellRowsFile.Format.npy), (csv, .csv)] {
            let file = try CellRowsFile(path: path, format: format, cells: 4, genes: 2, geneNames: ["Snap25", "Gfap"])
            try file.append(HeldOutSplit.rows(cells, [0, 1, 2]), cellNames: ["a", "b", "c"])
            try file.append(HeldOutSplit.rows(cells, [3]), cellNames: ["d"])
            try file.finish()
        }
        XCTAssertEqual(try CellMatrix.load(npy: npy), cells)
        XCTAssertEqual(try String(contentsOfFile: csv, encoding: .utf8),
                       "cell,Snap25,Gfap\na,0.0,1.5\nb,2.0,0.0\nc,0.25,7.0\nd,3.0,1.0\n")
    }

    /// String columns stay strings, categories past 127 take wider codes, and "" is missing.
    func testStringColumnsManyCategoriesAndMissingValues() throws {
        let path = NSTemporaryDirectory() + "written-\(UUID().uuidString).h5ad"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let ids = (0..<200).map { "c\($0)" }
        try AnnDataWriter.write(CellMatrix(cells: 200, genes: 1, values: [Float](repeating: 1, count: 200)), to: path,
                                categories: [("clone", ["", ""] + ids.dropFirst(2))], strings: [("cell_id", ids)])
        let file = try AnnDataFile(path: path)
        XCTAssertEqual(try file.kind(ofColumn: "cell_id"), .strings)
        XCTAssertEqual(try file.column("cell_id"), ids)
        XCTAssertEqual(try file.kind(ofColumn: "clone"), .categorical)
        XCTAssertEqual(try file.column("clone"), ["", ""] + ids.dropFirst(2))
    }

    func testAnUnwritableTargetIsAOneLineError() {
        let cells = CellMatrix(cells: 1, genes: 1, values: [1])
        XCTAssertThrowsError(try AnnDataWriter.write(cells, to: "/nonexistent/dir/cells.h5ad")) {
            XCTAssertTrue("\($0)".contains("cannot write /nonexistent/dir/cells.h5ad"), "\($0)")
        }
    }
}

/// anndata itself opens what the writer makes (when Python with anndata is installed, as
/// `.ci/run` arranges; otherwise the test is reported as skipped, with the reason).
final class AnnDataInteroperabilityTests: XCTestCase {
    func testAnndataReadsOurFiles() throws {
        guard run(["python3", "-c", "import anndata"]).status == 0 else {
            throw XCTSkip("python3 with anndata is not installed here (pip install anndata)")
        }
        let path = NSTemporaryDirectory() + "interop-\(UUID().uuidString).h5ad"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let cells = CellMatrix(cells: 300, genes: 2, values: (0..<600).map { Float($0 % 7) })
        let ids = (0..<300).map { "c\($0)" }
        try AnnDataWriter.write(cells, to: path, geneNames: ["Snap25", "Gfap"],
                                categories: [("source", Array(repeating: "generated", count: 300)),
                                             ("clone", ids.enumerated().map { $0.offset == 1 ? "" : $0.element })],
                                strings: [("cell_id", ids)], numbers: [("step", Array(repeating: 5, count: 300))], compress: true)
        let script = """
        import anndata, numpy as np
        a = anndata.read_h5ad('\(path)')
        assert a.shape == (300, 2), a.shape
        assert list(a.var_names) == ['Snap25', 'Gfap']
        assert np.allclose(a.X[:2], [[0, 1], [2, 3]])
        assert list(a.obs['source']) == ['generated'] * 300 and str(a.obs['source'].dtype) == 'category'
        assert list(a.obs['step']) == [5.0] * 300
        assert list(a.obs['cell_id'][:2]) == ['c0', 'c1'] and str(a.obs['cell_id'].dtype) != 'category'
        clone = a.obs['clone']
        assert len(clone.cat.categories) == 299 and clone.isna().sum() == 1 and clone.iloc[2] == 'c2', clone
        print('ok')
        """
        let result = run(["python3", "-c", script])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("ok"), result.output)
    }

    private func run(_ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        guard (try? process.run()) != nil else { return (-1, "cannot start \(arguments[0])") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
