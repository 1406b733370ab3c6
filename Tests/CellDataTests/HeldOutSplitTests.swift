import CellData
import XCTest

final class HeldOutSplitTests: XCTestCase {
    let labels = Array(repeating: "a", count: 50) + Array(repeating: "b", count: 30) + Array(repeating: "c", count: 4)

    func testStratifiedSeededAndDisjoint() {
        let split = HeldOutSplit(cells: 84, labels: labels, stratifiedBy: "type", fraction: 0.1, seed: 3)
        XCTAssertEqual(Set(split.trainCells).intersection(split.heldOutCells), [])
        XCTAssertEqual((split.trainCells + split.heldOutCells).sorted(), Array(0..<84))
        let heldLabels = split.heldOutCells.map { labels[$0] }
        XCTAssertEqual(heldLabels.filter { $0 == "a" }.count, 5)
        XCTAssertEqual(heldLabels.filter { $0 == "b" }.count, 3)
        XCTAssertEqual(heldLabels.filter { $0 == "c" }.count, 0, "round(0.4) = 0")
        XCTAssertEqual(split, HeldOutSplit(cells: 84, labels: labels, stratifiedBy: "type", fraction: 0.1, seed: 3))
        XCTAssertNotEqual(split.heldOutCells, HeldOutSplit(cells: 84, labels: labels, stratifiedBy: "type", fraction: 0.1, seed: 4).heldOutCells)
    }

    func testUnstratifiedAndRows() {
        let split = HeldOutSplit(cells: 20, labels: nil, stratifiedBy: nil, fraction: 0.25, seed: 1)
        XCTAssertEqual(split.heldOutCells.count, 5)
        let m = CellMatrix(cells: 3, genes: 2, values: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(HeldOutSplit.rows(m, [2, 0]).values, [5, 6, 1, 2])
    }

    func testTrainingSamplesAreSeededSubsetsOfTheTrainingCells() {
        let split = HeldOutSplit(cells: 84, labels: labels, stratifiedBy: "type", fraction: 0.1, seed: 3)
        let sample = split.trainingSample(20, salt: 1)
        XCTAssertEqual(sample.count, 20)
        XCTAssertEqual(Set(sample).count, 20)
        XCTAssertTrue(Set(sample).isSubset(of: split.trainCells))
        XCTAssertEqual(sample, sample.sorted())
        XCTAssertEqual(sample, split.trainingSample(20, salt: 1), "the same draw again")
        XCTAssertNotEqual(sample, split.trainingSample(20, salt: 2), "another salt, another draw")
        XCTAssertEqual(split.trainingSample(500, salt: 1), split.trainCells, "all of them when asked for more")
    }

    /// A large run is judged on a fixed draw of `heldOutLimit` held-out cells (the comparisons
    /// cost its square); a smaller one on all of them.
    func testEvaluationComparesAtMostTheLimitOfHeldOutCells() {
        let small = HeldOutSplit(cells: 1000, labels: nil, stratifiedBy: nil, fraction: 0.1, seed: 3)
        XCTAssertEqual(EvaluationCells.heldOutCells(small), small.heldOutCells)
        let large = HeldOutSplit(cells: 50_000, labels: nil, stratifiedBy: nil, fraction: 0.1, seed: 3)
        let compared = EvaluationCells.heldOutCells(large)
        XCTAssertEqual(compared.count, EvaluationCells.heldOutLimit)
        XCTAssertEqual(compared, compared.sorted())
        XCTAssertTrue(Set(compared).isSubset(of: large.heldOutCells))
        XCTAssertEqual(compared, EvaluationCells.heldOutCells(large), "a fixed draw")
        XCTAssertEqual(EvaluationCells.peerCells(large).count, EvaluationCells.heldOutLimit)
        XCTAssertEqual(Set(EvaluationCells.cellsRead(large)).count, 2 * EvaluationCells.heldOutLimit + EvaluationCells.basisLimit - Set(EvaluationCells.peerCells(large)).intersection(EvaluationCells.basisCells(large, EvaluationCells.basisLimit)).count)
    }
}
