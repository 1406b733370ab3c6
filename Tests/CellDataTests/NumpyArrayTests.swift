import CellData
import Foundation
import XCTest

/// `.npy` files written by NumPy itself (`Tests/CellDataTests/Fixtures/make_npy_fixtures.py`).
final class NumpyArrayTests: XCTestCase {
    let expected: [Float] = [-1, -0.5, 0, 0.5, 1, 1.5]

    func testReadsEveryAcceptedElementType() throws {
        for name in ["float32", "float64", "version2"] {
            let array = try NumpyArray(contentsOf: Fixture.path("\(name).npy"))
            XCTAssertEqual(array.shape, [2, 3], name)
            XCTAssertEqual(array.values, expected, name)
        }
        for name in ["int32", "int64"] {
            let array = try NumpyArray(contentsOf: Fixture.path("\(name).npy"))
            XCTAssertEqual(array.values, expected.map { $0 * 2 }, name)
            XCTAssertTrue(array.isIntegral)
        }
    }

    /// What NumPy writes for transposed and non-native arrays reads as NumPy reads it.
    func testReadsFortranOrderAndBigEndian() throws {
        for name in ["fortran", "bigendian", "bigendian-f8"] {
            let array = try NumpyArray(contentsOf: Fixture.path("\(name).npy"))
            XCTAssertEqual(array.shape, [2, 3], name)
            XCTAssertEqual(array.values, expected, name)
        }
        XCTAssertEqual(try NumpyArray(contentsOf: Fixture.path("bigendian-i8.npy")).values, expected.map { $0 * 2 })
        let transposed = try NumpyArray(contentsOf: Fixture.path("transposed.npy"))
        XCTAssertEqual(transposed.shape, [3, 2])
        XCTAssertEqual(transposed.values, [-1, 0.5, -0.5, 1, 0, 1.5])
        let cube = try NumpyArray(contentsOf: Fixture.path("fortran3d.npy"))
        XCTAssertEqual(cube.shape, [2, 3, 4])
        XCTAssertEqual(cube.values, (0..<24).map(Float.init))
    }

    func testCellMatrixAcceptsTheReferenceChannelLayout() throws {
        let cells = try CellMatrix.load(npy: Fixture.path("channel.npy"))
        XCTAssertEqual([cells.cells, cells.genes], [2, 3])
        XCTAssertEqual(cells.values, expected)
    }

    func testRefusesWhatItCannotReadWithOneLineReasons() {
        assertRefused("float16.npy", mentioning: "<f2")
        XCTAssertThrowsError(try CellMatrix.load(npy: Fixture.path("nan.npy"))) {
            XCTAssertTrue("\($0)".contains("nan at cell 1, gene 2"), "\($0)")
        }
        XCTAssertThrowsError(try CellMatrix.load(npy: Fixture.path("float32.npy"), expectedGenes: 2000)) {
            XCTAssertTrue("\($0)".contains("has 3 genes per cell, but the model expects 2000"), "\($0)")
        }
        XCTAssertThrowsError(try CellMatrix.load(npy: Fixture.path("vector.npy"))) {
            XCTAssertTrue("\($0)".contains("must have shape [cells, genes]"), "\($0)")
        }
    }

    func testRefusesTruncatedAndForeignBytes() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Fixture.path("float32.npy")))
        for length in [0, 9, 40, data.count - 1] {
            XCTAssertThrowsError(try NumpyArray(data: data.prefix(length), name: "cut.npy"), "length \(length)")
        }
        XCTAssertThrowsError(try NumpyArray(data: Data("hello".utf8), name: "x.npy")) {
            XCTAssertTrue("\($0)".contains("magic"), "\($0)")
        }
    }

    func testTimestepsMustBeIntegersInRange() throws {
        XCTAssertEqual(try Timesteps.load(npy: Fixture.path("vector.npy"), cells: 3), [999, 1, 500])
        XCTAssertThrowsError(try Timesteps.load(npy: Fixture.path("vector.npy"), cells: 4)) {
            XCTAssertTrue("\($0)".contains("shape [4]"), "\($0)")
        }
        let path = NSTemporaryDirectory() + "t-\(UUID().uuidString).npy"
        defer { try? FileManager.default.removeItem(atPath: path) }
        for bad: Float in [1000, -1, 2.5] {
            try NumpyArray(shape: [1], values: [bad]).write(to: path)
            XCTAssertThrowsError(try Timesteps.load(npy: path, cells: 1)) {
                XCTAssertTrue("\($0)".contains("not an integer in 0…999"), "\($0)")
            }
        }
    }

    func testWrittenFilesReadBack() throws {
        let path = NSTemporaryDirectory() + "roundtrip-\(UUID().uuidString).npy"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let matrix = CellMatrix(cells: 2, genes: 3, values: expected)
        try matrix.write(npy: path)
        XCTAssertEqual(try CellMatrix.load(npy: path), matrix)
        // The header is padded so that the data starts 64-byte aligned, as NumPy does.
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertEqual(data.count, 128 + 6 * 4)
    }

    private func assertRefused(_ name: String, mentioning text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try NumpyArray(contentsOf: Fixture.path(name)), file: file, line: line) {
            XCTAssertTrue("\($0)".contains(text), "“\($0)” does not mention “\(text)”", file: file, line: line)
        }
    }
}

enum Fixture {
    static func path(_ name: String) -> String {
        Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")!.path
    }
}
