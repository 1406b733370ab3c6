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
        XCTAssertEqual(object["mmd2_rbf_biased"] as! Double, pca["mmd2Biased"] as! Double, accuracy: 1e-4)
        XCTAssertEqual(object["frechet_pca"] as! Double, pca["frechet2"] as! Double, accuracy: 1e-3)
    }

    func testMismatchedFilesAreOneLineErrors() throws {
        let result = try CommandRunner.wbdit(["eval", "--real", fixtures + "/real.npy",
                                              "--generated", fixtures + "/../../CellDataTests/Fixtures/float32.npy"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("has 40 genes but"), result.stderr)
    }
}

/// `wbdit eval --run`: the run's held-out cells against freshly generated ones, with a report.
final class RunEvalCommandTests: XCTestCase {
    func testEvalRunWritesItsReports() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../CellDataTests/Fixtures/zeisel-slice.h5ad").standardized.path
        let run = NSTemporaryDirectory() + "wbdit-eval-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: run) }
        let trained = try CommandRunner.wbdit(["train", "--data", fixture, "--run", run, "--top-genes", "20", "--steps", "2",
                                               "--holdout", "0.2", "--patch", "5", "--hidden", "8", "--depth", "1",
                                               "--heads", "2", "--batch", "8"])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let result = try CommandRunner.wbdit(["eval", "--run", run, "--steps", "3", "--components", "5", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["real_cells"] as? Int, 40, "a fifth of 201 cells, per label, held out")
        XCTAssertEqual(object["generated_cells"] as? Int, 40)
        // Floors come from the held-out cells against as many training cells: the V-statistic's is positive.
        XCTAssertGreaterThan(try XCTUnwrap(object["mmd2_rbf_biased_floor"] as? Double), 0)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(object["mmd2_rbf_biased"] as? Double), try XCTUnwrap(object["mmd2_rbf"] as? Double))
        XCTAssertTrue(FileManager.default.fileExists(atPath: run + "/report.json"))
        XCTAssertTrue(try String(contentsOfFile: run + "/report.md", encoding: .utf8).contains("| MMD²"))
        // Cells generated elsewhere are judged the same way: `wbdit sample` draws the counts eval drew.
        XCTAssertNotNil(object["library_size_w1_log"] as? Double, "the data holds counts, so generated cells are counts")
        let cells = run + "/sampled.h5ad"
        let sampled = try CommandRunner.wbdit(["sample", "--run", run, "--n", "40", "--steps", "3", "--out", cells])
        XCTAssertEqual(sampled.status, 0, sampled.stderr)
        let external = try CommandRunner.wbdit(["eval", "--run", run, "--generated", cells, "--components", "5", "--json"])
        XCTAssertEqual(external.status, 0, external.stderr)
        let judged = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(external.stdout.utf8)) as? [String: Any])
        for key in ["mmd2_rbf", "mmd2_rbf_biased", "knn_auc", "gene_gene_corr_r", "mmd2_rbf_floor", "knn_auc_floor",
                    "library_size_w1_log", "genes_detected_w1_log", "zero_fraction_gene_gap"] {
            XCTAssertEqual(try XCTUnwrap(judged[key] as? Double), try XCTUnwrap(object[key] as? Double), accuracy: 1e-9, key)
        }
        let wrongGenes = try CommandRunner.wbdit(["eval", "--run", run, "--generated",
                                                  URL(fileURLWithPath: fixture).deletingLastPathComponent().path + "/float32.npy"])
        XCTAssertEqual(wrongGenes.status, 2)
        XCTAssertTrue(wrongGenes.stderr.contains("genes but \(run) was trained on 20"), wrongGenes.stderr)
        let neither = try CommandRunner.wbdit(["eval"])
        XCTAssertEqual(neither.status, 2)
        XCTAssertTrue(neither.stderr.contains("give --real and --generated, or --run"), neither.stderr)
    }
}
