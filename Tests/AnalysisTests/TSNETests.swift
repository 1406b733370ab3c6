@testable import Analysis
import CellData
import Kernels
import Foundation
import XCTest

/// t-SNE against scikit-learn's affinities and the KL divergences scikit-learn and
/// openTSNE reach (`Tests/AnalysisTests/Fixtures/make_tsne_fixtures.py`), and its gradient against finite
/// differences.
final class TSNETests: XCTestCase {
    func fixture(_ name: String) -> String {
        Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")!.path
    }

    func expected() throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixture("expected-tsne.json")))) as? [String: Any])
    }

    func points() throws -> CellMatrix { try CellMatrix.load(npy: fixture("tsne-points.npy")) }

    func rows(_ m: CellMatrix, _ range: Range<Int>) -> CellMatrix {
        CellMatrix(cells: range.count, genes: m.genes, values: Array(m.values[(range.lowerBound * m.genes)..<(range.upperBound * m.genes)]))
    }

    func testNearestNeighboursMatchBruteForce() throws {
        let p = try points()
        let knn = NearestNeighbours(of: p, in: p, k: 7, excludingSelf: true)
        for i in stride(from: 0, to: p.cells, by: 37) {
            let distances = (0..<p.cells).filter { $0 != i }.map { j -> (Double, Int) in
                ((0..<p.genes).reduce(0.0) { s, g in
                    let d = Double(p.values[i * p.genes + g]) - Double(p.values[j * p.genes + g]); return s + d * d
                }, j)
            }.sorted { $0 < $1 }
            XCTAssertEqual(knn.indices[(i * 7)..<(i * 7 + 7)].map(Int.init), distances.prefix(7).map(\.1), "point \(i)")
            XCTAssertEqual(Double(knn.squaredDistances[i * 7]), distances[0].0, accuracy: 1e-3 * distances[0].0)
        }
    }

    func testExactAffinitiesMatchScikitLearn() throws {
        let e = try expected()
        let small = rows(try points(), 0..<60)
        let knn = NearestNeighbours(of: small, in: small, k: 59, excludingSelf: true)
        let p = Affinities.conditional(neighbours: knn.indices, squaredDistances: knn.squaredDistances, k: knn.k,
                                       perplexity: try XCTUnwrap(e["smallPerplexity"] as? Double)).symmetrised()
        let reference = try XCTUnwrap(e["smallJointP"] as? [Double])
        var dense = [Double](repeating: 0, count: 60 * 60)
        for i in 0..<60 { for k in p.rowStart[i]..<p.rowStart[i + 1] { dense[i * 60 + Int(p.columns[k])] = p.values[k] } }
        XCTAssertEqual(p.values.reduce(0, +), 1, accuracy: 1e-9)
        // scikit-learn stops its bisection at an entropy within 1e-5 nats (ours: 1e-8), which
        // leaves its probabilities within about 1e-5 of the exact ones, relatively.
        for (ours, theirs) in zip(dense, reference) { XCTAssertEqual(ours, theirs, accuracy: 1e-4 * theirs + 1e-9) }
    }

    func testGradientMatchesFiniteDifferencesOfKL() throws {
        let small = rows(try points(), 0..<40)
        let map = TSNE(points: small)
        map.iterate(30)  // away from the tiny initial scale
        var y = map.positions
        var gradient = [Double](repeating: 0, count: y.count)
        _ = TSNE.gradient(of: y, map.affinities, exaggeration: 1, repulsion: .exact, theta: 0, into: &gradient)
        var scratch = gradient
        for c in [0, 7, 21, 40, 79] {
            let h = 1e-5, saved = y[c]
            y[c] = saved + h
            let up = TSNE.gradient(of: y, map.affinities, exaggeration: 1, repulsion: .exact, theta: 0, into: &scratch)
            y[c] = saved - h
            let down = TSNE.gradient(of: y, map.affinities, exaggeration: 1, repulsion: .exact, theta: 0, into: &scratch)
            y[c] = saved
            // The customary t-SNE gradient is 4× the one the optimiser follows.
            XCTAssertEqual((up - down) / (2 * h), 4 * gradient[c], accuracy: 1e-6 + 1e-4 * abs(gradient[c]), "coordinate \(c)")
        }
    }

    func testBarnesHutApproachesTheExactGradient() throws {
        let map = TSNE(points: try points())
        map.iterate(100)
        var exact = [Double](repeating: 0, count: map.positions.count), approximate = exact
        let klExact = TSNE.gradient(of: map.positions, map.affinities, exaggeration: 1, repulsion: .exact, theta: 0, into: &exact)
        let klZero = TSNE.gradient(of: map.positions, map.affinities, exaggeration: 1, repulsion: .barnesHut, theta: 0, into: &approximate)
        XCTAssertEqual(klZero, klExact, accuracy: 1e-9)
        for (a, b) in zip(approximate, exact) { XCTAssertEqual(a, b, accuracy: 1e-9 + 1e-7 * abs(b)) }
        _ = TSNE.gradient(of: map.positions, map.affinities, exaggeration: 1, repulsion: .barnesHut, theta: 0.5, into: &approximate)
        let error = zip(approximate, exact).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
        let norm = exact.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
        XCTAssertLessThan(error / norm, 0.05)
    }

    func testExactRunReachesScikitLearnsKL() throws {
        let e = try expected()
        let map = TSNE(points: try points())
        XCTAssertTrue(map.usesExactGradient)
        map.run()
        XCTAssertTrue(map.isFinished)
        let reference = try XCTUnwrap(e["sklearnExactKL"] as? Double)
        XCTAssertLessThan(map.klDivergence(), reference * 1.1)
        try assertClustersSeparate(map.embedding, labels: try XCTUnwrap(e["labels"] as? [Int]))
    }

    func testBarnesHutRunReachesOpenTSNEsKL() throws {
        let e = try expected()
        var settings = TSNESettings()
        settings.exactLimit = 0
        let map = TSNE(points: try points(), settings: settings)
        XCTAssertFalse(map.usesExactGradient)
        XCTAssertEqual(map.affinities.rowStart[1] - map.affinities.rowStart[0] >= 90, true)
        map.run()
        XCTAssertLessThan(map.klDivergence(), try XCTUnwrap(e["openTSNEKL"] as? Double) * 1.1)
        try assertClustersSeparate(map.embedding, labels: try XCTUnwrap(e["labels"] as? [Int]))
    }

    /// The interpolated repulsion against the sums over all pairs on a map as small as one
    /// starts (10⁻⁴ across), where the kernel is all but flat and the interpolation exact.
    func testInterpolatedRepulsionIsExactOnATinyMap() {
        for spread in [1e-3] {
            var generator = SeededGenerator(seed: 11)
            let n = 400
            var y = [Double](repeating: 0, count: 2 * n)
            for c in 0..<(2 * n) {
                let stretch: Double = c % 2 == 0 ? 1 : 0.5, shift: Double = c % 4 == 0 ? spread : -spread / 2
                y[c] = Double(generator.nextNormal()) * spread * stretch + shift
            }
            var force = [Double](repeating: 0, count: 2 * n)
            let z = InterpolatedRepulsion().repulsion(positions: y, count: n, into: &force)
            var (exactZ, worst, largest) = (0.0, 0.0, 0.0)
            for i in 0..<n {
                var (fx, fy) = (0.0, 0.0)
                for j in 0..<n where j != i {
                    let dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1]
                    let w = 1 / (1 + dx * dx + dy * dy)
                    exactZ += w; fx += w * w * dx; fy += w * w * dy
                }
                worst = max(worst, abs(force[2 * i] - fx), abs(force[2 * i + 1] - fy))
                largest = max(largest, abs(fx), abs(fy))
            }
            XCTAssertEqual(z / exactZ, 1, accuracy: 1e-12, "spread \(spread)")
            XCTAssertLessThan(worst / largest, 1e-12, "spread \(spread)")
        }
    }

    /// On a real map, the interpolated gradient against the exact one: FIt-SNE's three nodes a
    /// box err by a few parts in a thousand of the largest component, and KL agrees closely.
    func testInterpolatedGradientApproachesTheExactOne() throws {
        var settings = TSNESettings()
        (settings.exactLimit, settings.interpolationFrom) = (0, 0)
        let map = TSNE(points: try points(), settings: settings)
        XCTAssertEqual(map.repulsion, .interpolated)
        map.iterate(100)
        var exact = [Double](repeating: 0, count: map.positions.count), interpolated = exact
        let klExact = TSNE.gradient(of: map.positions, map.affinities, exaggeration: 1, repulsion: .exact, theta: 0, into: &exact)
        let klInterpolated = TSNE.gradient(of: map.positions, map.affinities, exaggeration: 1, repulsion: .interpolated, theta: 0,
                                           into: &interpolated)
        XCTAssertEqual(klInterpolated, klExact, accuracy: 1e-4 * abs(klExact))
        let largest = exact.map(abs).max()!
        let worst = zip(interpolated, exact).map { abs($0 - $1) }.max()!
        XCTAssertLessThan(worst / largest, 1e-2)
    }

    /// Every point's nearest map neighbour is of its own cluster.
    func assertClustersSeparate(_ m: CellMatrix, labels: [Int]) throws {
        let knn = NearestNeighbours(of: m, in: m, k: 1, excludingSelf: true)
        let agree = (0..<m.cells).filter { labels[Int(knn.indices[$0])] == labels[$0] }.count
        XCTAssertEqual(agree, m.cells)
    }

    /// A large map lays its points out along a Z-order curve, and still gives its embedding
    /// and a placed point's nearest reference in the input's order.
    func testALargeMapsLayoutIsInvisibleOutside() throws {
        let p = try points()
        var settings = TSNESettings()
        (settings.exactLimit, settings.approximateNeighboursFrom, settings.interpolationFrom) = (10, 100, 100)
        let map = TSNE(points: p, settings: settings)
        let start = TSNE.initialPositions(p, seed: settings.seed)
        XCTAssertFalse(map.positions == start, "laid out in another order")
        XCTAssertEqual(map.embedding.values, start.map { Float($0) })
        XCTAssertEqual(Set(TSNE.zOrder(start)), Set(0..<p.cells))
        let placed = TSNEPlacement(rows(p, 0..<20), on: map)
        XCTAssertEqual(placed.nearestReference, Array(0..<20))
    }

    func testPlacementPutsCopiesBesideTheirOriginalsAndLeavesTheMap() throws {
        let p = try points()
        let map = TSNE(points: p)
        map.run()
        let before = map.positions
        let copies = rows(p, 0..<300)
        let placed = TSNEPlacement(copies, on: map)
        placed.run()
        XCTAssertEqual(map.positions, before)
        XCTAssertEqual(placed.nearestReference[5], 5)
        let xs = stride(from: 0, to: before.count, by: 2).map { before[$0] }
        let span = xs.max()! - xs.min()!
        let labels = try XCTUnwrap(try expected()["labels"] as? [Int])
        for i in 0..<placed.count {
            // Each copy ends inside its own cluster on the map: its nearest map point shares its label.
            let q = (placed.positions[2 * i], placed.positions[2 * i + 1])
            let nearest = (0..<map.count).min { a, b in
                hypot(before[2 * a] - q.0, before[2 * a + 1] - q.1) < hypot(before[2 * b] - q.0, before[2 * b + 1] - q.1)
            }!
            XCTAssertEqual(labels[nearest], labels[i], "copy \(i)")
            XCTAssertLessThan(hypot(before[2 * i] - q.0, before[2 * i + 1] - q.1), 0.1 * span)
        }
    }
}
