import CellData
@testable import Diffusion
import Kernels
import XCTest

/// Depth donors: a cell that is near many others (a hub) donates no more often than its
/// share, so the donors' depths are those of the training cells.
final class DepthDonorsTests: XCTestCase {
    /// Four clusters of 100 cells in 10 dimensions, a tenth of them deep and so less noisy:
    /// near their cluster's centre, they are among the 30 nearest of almost every cell.
    /// Drawn uniformly from the candidates, they donate to a third of new cells; weighted,
    /// to about their share.
    func testWeightsUndoHubs() {
        let (n, d) = (400, 10)
        var generator = SeededGenerator(seed: 2)
        func cell(_ cluster: Int, noise: Float) -> [Float] {
            (0..<d).map { i in (i == cluster ? 20 : 0) + noise * generator.nextNormal() }
        }
        var positions: [Float] = [], totals: [Float] = []
        for c in 0..<n {
            let deep = c % 10 == 0
            positions += cell(c % 4, noise: deep ? 0.2 : 1)
            totals.append(deep ? 5000 : 1000)
        }
        let scores = CellMatrix(cells: n, genes: d, values: positions)
        let queries = CellMatrix(cells: 2000, genes: d, values: (0..<2000).flatMap { cell($0 % 4, noise: 1) })
        func deepShare(_ donors: DepthDonors) -> Double {
            let near = donors.candidates(queries)
            let deep = (0..<queries.cells).filter { donors.totals[donors.donor($0, among: near, &generator)] == 5000 }
            return Double(deep.count) / Double(queries.cells)
        }
        let weighted = DepthDonors(scores: scores, libraries: totals, totals: totals, detected: totals, factors: totals)
        XCTAssertLessThan(weighted.weights[0], weighted.weights[1], "the hub weighs less")
        let uniform = DepthDonors(scores: scores, libraries: totals, totals: totals, detected: totals, factors: totals, weights: Array(repeating: 1, count: n))
        XCTAssertGreaterThan(deepShare(uniform), 0.25)
        XCTAssertEqual(deepShare(weighted), 0.1, accuracy: 0.03, "deep cells are 10% of the cells")
    }

    func testOneCellDonatesToEveryone() {
        let donors = DepthDonors(scores: CellMatrix(cells: 1, genes: 2, values: [0, 0]), libraries: [7], totals: [5], detected: [3], factors: [1])
        var generator = SeededGenerator(seed: 1)
        let near = donors.candidates(CellMatrix(cells: 2, genes: 2, values: [1, 1, -1, 3]))
        XCTAssertEqual(donors.donor(1, among: near, &generator), 0)
    }
}
