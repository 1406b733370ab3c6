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
        let cells = CellMatrix(cells: 3, genes: 2, values: [0, 1.5, 2, 0, 0.25, 7])
        try AnnDataWriter.write(cells, to: path, geneNames: ["Snap25", "Gfap"],
                                categories: [("source", ["generated", "generated", "generated"])],
                                numbers: [("step", [5, 5, 5])], compress: true)
        let script = """
        import anndata, numpy as np
        a = anndata.read_h5ad('\(path)')
        assert a.shape == (3, 2), a.shape
        assert list(a.var_names) == ['Snap25', 'Gfap']
        assert np.allclose(a.X, [[0, 1.5], [2, 0], [0.25, 7]])
        assert list(a.obs['source']) == ['generated'] * 3 and str(a.obs['source'].dtype) == 'category'
        assert list(a.obs['step']) == [5.0] * 3
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
