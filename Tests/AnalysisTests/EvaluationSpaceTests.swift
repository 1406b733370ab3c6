import Analysis
import CellData
import Foundation
import XCTest

/// Where `Evaluation` compares cells: in a given PC basis instead of the real cells' own,
/// and, given a peer sample of real cells, with floors measured between the real cells and
/// the peer instead of between two halves of the real cells.
final class EvaluationSpaceTests: XCTestCase {
    func cells(_ name: String) throws -> CellMatrix {
        try CellMatrix.load(npy: try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "npy", subdirectory: "Fixtures")).path)
    }

    func row(_ evaluation: Evaluation, _ key: String) throws -> Evaluation.Row {
        try XCTUnwrap(evaluation.rows.first { $0.key == key }, key)
    }

    func testABasisReplacesTheRealCellsSpace() throws {
        let real = try cells("real"), generated = try cells("generated")
        let basis = PCA(fitting: generated, components: 10)
        let evaluation = Evaluation(real: real, generated: generated, components: 10, basis: basis)
        let (pr, pg) = (basis.transform(real), basis.transform(generated))
        XCTAssertEqual(try row(evaluation, "mmd2_rbf").generated, MaximumMeanDiscrepancy(pr, pg).squared, accuracy: 1e-12)
        XCTAssertEqual(try row(evaluation, "knn_auc").generated, NeighbourClassifierAUC.auc(real: pr, generated: pg), accuracy: 1e-12)
        XCTAssertEqual(try row(evaluation, "frechet_pca").generated, FrechetDistance.squared(pr, pg), accuracy: 1e-9)
        let own = Evaluation(real: real, generated: generated, components: 10)
        XCTAssertNotEqual(try row(own, "mmd2_rbf").generated, try row(evaluation, "mmd2_rbf").generated,
                          "the basis must change the space")
        XCTAssertEqual(try row(own, "gene_gene_corr_r").generated, try row(evaluation, "gene_gene_corr_r").generated,
                       "gene-level rows do not depend on the space")
    }

    func testAPeerGivesTheFloors() throws {
        let all = try cells("real"), generated = try cells("generated")
        let real = HeldOutSplit.rows(all, Array(0..<30)), peer = HeldOutSplit.rows(all, Array(30..<60))
        let labels = (0..<30).map { $0 % 3 == 0 ? "a" : "b" }, peerLabels = (0..<30).map { $0 % 2 == 0 ? "a" : "b" }
        let evaluation = Evaluation(real: real, generated: generated, components: 5, labels: labels, peer: (peer, peerLabels))
        let pca = PCA(fitting: real, components: 5)
        let (p1, p2) = (pca.transform(real), pca.transform(peer))
        let mmd = MaximumMeanDiscrepancy(p1, p2)
        XCTAssertEqual(try row(evaluation, "mmd2_rbf").floor, mmd.squared, accuracy: 1e-12)
        XCTAssertEqual(try row(evaluation, "mmd2_rbf_biased").floor, mmd.biasedSquared, accuracy: 1e-12)
        XCTAssertEqual(try row(evaluation, "knn_auc").floor, NeighbourClassifierAUC.auc(real: p1, generated: p2), accuracy: 1e-12)
        XCTAssertEqual(try row(evaluation, "gene_gene_corr_r").floor,
                       GeneCorrelationStructure(real: real, generated: peer, topGenes: 500).pearson, accuracy: 1e-12)
        let predicted = LabelTransfer(real: p1, labels: labels, generated: p2).predicted
        XCTAssertEqual(try row(evaluation, "label_mix_tv").floor, LabelTransfer.mixDistance(labels, predicted), accuracy: 1e-12)
        let copying = try row(evaluation, "nearest_training_median")
        XCTAssertEqual(copying.generated, NearestCellDistance.median(of: pca.transform(generated), to: p2), accuracy: 1e-12)
        XCTAssertEqual(copying.floor, NearestCellDistance.median(of: p1, to: p2), accuracy: 1e-12)
        XCTAssertNil(Evaluation(real: real, generated: generated, components: 5).rows.first { $0.key == "nearest_training_median" },
                     "without training cells there is nothing to be a copy of")
        // The V-statistic never falls below the unbiased estimate (k ≤ 1 on the diagonal's behalf).
        XCTAssertGreaterThanOrEqual(mmd.biasedSquared, mmd.squared)
    }
}
