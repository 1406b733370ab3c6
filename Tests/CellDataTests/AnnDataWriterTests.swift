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
