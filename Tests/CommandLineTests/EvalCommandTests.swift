import Foundation
import TestSupport
import XCTest

/// `wbdit eval` on the metric fixtures: the JSON agrees with scipy/NumPy's values.
final class EvalCommandTests: XCTestCase {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../AnalysisTests/Fixtures").standardized.path

    func testJSONCarriesEveryMetricAndItsFloor() throws {
        let result = try CommandRunner.wbdit(["eval", "--real", fixtures + "/real.npy", "--generated", fixtures + "/generated.npy",
                                              "--components", "10", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        for key in ["mmd2_rbf", "wasserstein1_gene_mean", "gene_mean_pearson", "gene_mean_spearman", "gene_gene_corr_r", "frechet_pca", "knn_auc", "kl_reference", "kl_gene_histogram"] {
            XCTAssertNotNil(object[key] as? Double, key)
            XCTAssertNotNil(object[key + "_floor"] as? Double, key + "_floor")
        }
        let metrics = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixtures + "/expected.json"))) as? [String: Any])
        let pca = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixtures + "/expected-pca.json"))) as? [String: Any])
        XCTAssertEqual(object["gene_mean_pearson"] as! Double, metrics["meanPearson"] as! Double, accuracy: 1e-6)
        XCTAssertEqual(object["wasserstein1_gene_mean"] as! Double, metrics["meanWasserstein"] as! Double, accuracy: 1e-6)
        XCTAssertEqual(object["mmd2_rbf"] as! Double, pca["mmd2"] as! Double, accuracy: 1e-4)
        XCTAssertEqual(object["frechet_pca"] as! Double, pca["frechet2"] as! Double, accuracy: 1e-3)
    }

    func testMismatchedFilesAreOneLineErrors() throws {
        let result = try CommandRunner.wbdit(["eval", "--real", fixtures + "/real.npy",
                                              "--generated", fixtures + "/../../CellDataTests/Fixtures/float32.npy"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("has 40 genes but"), result.stderr)
    }
}
