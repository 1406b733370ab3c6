import Analysis
import CellData
import Foundation
import Kernels
import XCTest

/// The cases whose answers are known without a peer: a gene-wise shuffled copy of real
/// cells keeps every gene's distribution but none of the genes' co-variation.
final class KnownCaseTests: XCTestCase {
    func testGeneWiseShuffleKeepsGenesButLosesGeneGeneStructure() throws {
        let path = try XCTUnwrap(Bundle.module.url(forResource: "tsne-points", withExtension: "npy", subdirectory: "Fixtures")).path
        let real = try CellMatrix.load(npy: path)   // 300 cells in 5 clusters: strongly correlated dimensions
        var shuffled = real
        var generator = SeededGenerator(seed: 5)
        for gene in 0..<real.genes {
            var order = Array(0..<real.cells)
            for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(generator.next() % UInt64(i + 1))) }
            for c in 0..<real.cells { shuffled.values[c * real.genes + gene] = real.values[order[c] * real.genes + gene] }
        }
        let genes = GeneLevelComparison(real: real, generated: shuffled)
        XCTAssertEqual(genes.meanWasserstein, 0, accuracy: 1e-9)
        XCTAssertEqual(genes.meanPearson, 1, accuracy: 1e-9)
        XCTAssertEqual(genes.variancePearson, 1, accuracy: 1e-9)
        let itself = GeneCorrelationStructure(real: real, generated: real, topGenes: 10)
        let broken = GeneCorrelationStructure(real: real, generated: shuffled, topGenes: 10)
        XCTAssertEqual(itself.pearson, 1, accuracy: 1e-9)
        XCTAssertLessThan(broken.pearson, 0.5)
        XCTAssertGreaterThan(broken.rmse, 0.2)
        let pca = PCA(fitting: real, components: 5)
        XCTAssertGreaterThan(NeighbourClassifierAUC.auc(real: pca.transform(real), generated: pca.transform(shuffled)), 0.9)
    }
}
