import CellData
import Foundation
import Kernels
import XCTest

/// The forest's neighbours against the exact search: the same form (nearest first, no point
/// its own neighbour, no neighbour twice), most of the same neighbours on clustered data, and
/// all of them once every point shares one leaf.
final class RandomProjectionForestTests: XCTestCase {
    /// 3000 points in 20 dimensions around 12 centres, each with its own spread.
    func clustered(seed: UInt64 = 1) -> CellMatrix {
        var generator = SeededGenerator(seed: seed)
        let centres = (0..<12).map { _ in (0..<20).map { _ in generator.nextNormal() * 5 } }
        var values: [Float] = []
        for i in 0..<3000 {
            let centre = centres[i % 12], spread = Float(0.5 + Double(i % 12) / 6)
            values += centre.map { $0 + spread * generator.nextNormal() }
        }
        return CellMatrix(cells: 3000, genes: 20, values: values)
    }

    func testMostNeighboursAreTheExactOnes() {
        let points = clustered()
        let exact = NearestNeighbours(of: points, in: points, k: 30, excludingSelf: true)
        for parallel in [false, true] {
            let found = RandomProjectionForest(trees: 6, leafSize: 100).neighbours(of: points, k: 30, parallel: parallel)
            XCTAssertEqual(found.k, 30)
            var shared = 0
            for i in 0..<points.cells {
                let row = Array(found.indices[(i * 30)..<((i + 1) * 30)])
                let distances = Array(found.squaredDistances[(i * 30)..<((i + 1) * 30)])
                XCTAssertFalse(row.contains(Int32(i)), "a point is not its own neighbour")
                XCTAssertEqual(Set(row).count, 30, "no neighbour twice")
                XCTAssertEqual(distances, distances.sorted(), "nearest first")
                shared += Set(row).intersection(exact.indices[(i * 30)..<((i + 1) * 30)]).count
            }
            let recall = Double(shared) / Double(30 * points.cells)
            XCTAssertGreaterThan(recall, 0.95, "parallel \(parallel)")
            XCTAssertLessThan(recall, 1, "leaves of 100 among 3000 points cannot hold every true neighbour")
        }
    }

    func testOneLeafIsTheExactSearch() {
        let points = clustered(seed: 2)
        let exact = NearestNeighbours(of: points, in: points, k: 10, excludingSelf: true)
        let found = RandomProjectionForest(trees: 1, leafSize: 3000, joined: 0).neighbours(of: points, k: 10)
        XCTAssertEqual(found.indices, exact.indices)
        for (a, b) in zip(found.squaredDistances, exact.squaredDistances) { XCTAssertEqual(a, b, accuracy: 1e-3 * max(1, b)) }
    }

    /// Points that coincide still split into leaves, and fewer points than k give them all.
    func testCoincidentPointsAndTooFewPoints() {
        let same = CellMatrix(cells: 50, genes: 3, values: [Float](repeating: 1, count: 150))
        let found = RandomProjectionForest(trees: 2, leafSize: 8).neighbours(of: same, k: 5)
        XCTAssertEqual(found.squaredDistances, [Float](repeating: 0, count: 250))
        let two = CellMatrix(cells: 2, genes: 1, values: [0, 3])
        let pair = RandomProjectionForest().neighbours(of: two, k: 5)
        XCTAssertEqual(pair.k, 1)
        XCTAssertEqual(pair.indices, [1, 0])
        XCTAssertEqual(pair.squaredDistances, [9, 9])
    }
}
