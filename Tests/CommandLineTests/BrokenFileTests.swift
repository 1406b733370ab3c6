import CellData
import Foundation
import Networks
import TestSupport
import XCTest

/// Broken .h5ad files (`Tests/CellDataTests/Fixtures/make_h5ad_fixtures.py`): one line, exit status 2, no
/// HDF5 error stack, nothing written — for `prep`, `train` and `info`.
final class BrokenFileTests: XCTestCase {
    let broken = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../CellDataTests/Fixtures/broken").standardized.path

    func testEveryBrokenFileIsOneLineAndStatusTwo() throws {
        let cases = [
            ("empty.h5ad", "is not an HDF5 file"),
            ("random.h5ad", "is not an HDF5 file"),
            ("truncated.h5ad", "HDF5"),
            ("no-x.h5ad", "has no X"),
            ("nan.h5ad", "holds nan at cell 1, gene 0"),
            ("inf.h5ad", "holds inf (or a value beyond Float32's ±3.4e38) at cell 1, gene 0"),
            ("negative.h5ad", "holds negative values"),
            ("indptr.h5ad", "indptr is not increasing at row 1"),
            ("indices.h5ad", "indices holds 9, outside 0…3"),
            ("shape.h5ad", "the sparse matrix X has no valid shape attribute"),
            ("wide-shape.h5ad", "has shape 10000000 × 4 but an indptr of 6 entries"),
            ("short-obs.h5ad", "obs has 2 rows, but X has 5 cells"),
            ("zeros.h5ad", "X holds only zeros (5 × 4)"),
            ("lzf.h5ad", "X is compressed with LZF, which this libhdf5 cannot decode"),
            ("missing.h5ad", "no such file"),
        ]
        let out = NSTemporaryDirectory() + "broken-\(UUID().uuidString).h5ad"
        let run = NSTemporaryDirectory() + "broken-run-\(UUID().uuidString)"
        for (name, text) in cases {
            for arguments in [["prep", broken + "/" + name, "--out", out],
                              ["train", "--data", broken + "/" + name, "--run", run, "--steps", "1"]] {
                let result = try CommandRunner.wbdit(arguments)
                XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
                XCTAssertTrue(result.stderr.contains(text), "\(arguments): “\(result.stderr)” does not mention “\(text)”")
                XCTAssertEqual(result.stderr.filter { $0 == "\n" }.count, 1, "\(arguments): \(result.stderr)")
                XCTAssertFalse(result.stderr.contains("HDF5-DIAG"), "an HDF5 error stack was printed")
                XCTAssertFalse(FileManager.default.fileExists(atPath: out))
                XCTAssertFalse(FileManager.default.fileExists(atPath: run))
            }
        }
    }

    /// `info` describes a file whose matrix disagrees with obs or var instead of reading it:
    /// the row says damaged and the reason follows the table.
    func testInfoNamesAMatrixThatDisagreesWithObs() throws {
        let result = try CommandRunner.wbdit(["info", broken + "/short-obs.h5ad"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("damaged (below)"), result.stdout)
        XCTAssertTrue(result.stdout.contains("damaged: \(broken)/short-obs.h5ad: obs has 2 rows, but X has 5 cells"), result.stdout)
    }

    /// A file without X (anndata writes none when X is None) is described all the same.
    func testInfoDescribesAFileWithoutX() throws {
        let fixture = URL(fileURLWithPath: broken).deletingLastPathComponent().appendingPathComponent("nullable-no-x.h5ad").path
        let result = try CommandRunner.wbdit(["info", fixture])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("layers/counts  csr_matrix  5 × 4"), result.stdout)
        XCTAssertTrue(result.stdout.contains("no X: train and prep read another matrix with --source"), result.stdout)
        XCTAssertTrue(result.stdout.contains("obs: 5 cells"), result.stdout)
    }
}
