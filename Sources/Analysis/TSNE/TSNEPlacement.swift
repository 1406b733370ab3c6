import CellData
import Foundation

/// The settings for placing new points on a finished map; the defaults are those of
/// openTSNE's `transform`.
public struct TSNEPlacementSettings: Sendable, Equatable {
    public var perplexity = 5.0
    public var learningRate = 0.1
    public var exaggeration = 1.5
    public var iterations = 250
    public var momentum = 0.8
    public var maximumGradientNorm: Double? = 0.25
    public var theta = 0.5

    public init() {}
}

/// New points (generated cells) placed on an existing t-SNE map of reference points (real
/// cells) the way openTSNE's `transform` does: the map stays put; each new point starts at
/// the median position of its 3·perplexity nearest reference points and then follows the
/// gradient of its own KL divergence against the reference points alone (affinities
/// normalised per point, repulsion normalised per point, Barnes–Hut over the reference).
public final class TSNEPlacement: @unchecked Sendable {
    public let settings: TSNEPlacementSettings
    public let affinities: Affinities
    /// The new points' [m, 2] positions.
    public private(set) var positions: [Double]
    public private(set) var iteration = 0
    /// The new points' nearest reference point (in the feature space) and its squared distance.
    public let nearestReference: [Int]
    public let nearestSquaredDistance: [Float]
    private let reference: [Double]
    private let tree: BarnesHutTree
    private var descent: GainsDescent
    private var gradient: [Double]

    public var count: Int { positions.count / 2 }
    public var isFinished: Bool { iteration >= settings.iterations }

    public init(_ newPoints: CellMatrix, on map: TSNE, settings: TSNEPlacementSettings = TSNEPlacementSettings()) {
        precondition(newPoints.genes == map.points.genes,
                     "TSNEPlacement: \(newPoints.genes) dimensions for a map of \(map.points.genes)")
        self.settings = settings
        let m = newPoints.cells
        let k = min(map.count, Int(3 * settings.perplexity))
        let neighbours = NearestNeighbours(of: newPoints, in: map.points, k: k)
        affinities = Affinities.conditional(neighbours: neighbours.indices, squaredDistances: neighbours.squaredDistances,
                                            k: neighbours.k, perplexity: min(settings.perplexity, Double(k) / 3))
        nearestReference = (0..<m).map { map.inputRow(Int(neighbours.indices[$0 * k])) }
        nearestSquaredDistance = (0..<m).map { neighbours.squaredDistances[$0 * k] }
        reference = map.positions
        tree = map.positions.withUnsafeBufferPointer { BarnesHutTree(positions: $0.baseAddress!, count: map.count) }
        var start = [Double](repeating: 0, count: 2 * m)
        for i in 0..<m {
            for c in 0..<2 {
                let values = (0..<k).map { map.positions[2 * Int(neighbours.indices[i * k + $0]) + c] }
                start[2 * i + c] = values.isEmpty ? 0 : Percentile.median(values)
            }
        }
        positions = start
        descent = GainsDescent(count: 2 * m)
        gradient = [Double](repeating: 0, count: 2 * m)
    }

    /// Runs up to `count` more iterations.
    public func iterate(_ count: Int = 1) {
        var stack: [Int] = []
        stack.reserveCapacity(256)
        for _ in 0..<count where !isFinished {
            for i in 0..<self.count {
                let (x, y) = (positions[2 * i], positions[2 * i + 1])
                var force = (0.0, 0.0)
                let z = tree.repulsion(x: x, y: y, own: -1, theta: settings.theta, force: &force, stack: &stack)
                var (fx, fy) = (-force.0 / z, -force.1 / z)
                for e in affinities.rowStart[i]..<affinities.rowStart[i + 1] {
                    let j = Int(affinities.columns[e])
                    let dx = x - reference[2 * j], dy = y - reference[2 * j + 1]
                    let w = 1 / (1 + dx * dx + dy * dy)
                    fx += settings.exaggeration * affinities.values[e] * w * dx
                    fy += settings.exaggeration * affinities.values[e] * w * dy
                }
                gradient[2 * i] = fx; gradient[2 * i + 1] = fy
            }
            descent.step(&positions, gradient: &gradient, learningRate: settings.learningRate, momentum: settings.momentum,
                         maximumGradientNorm: settings.maximumGradientNorm, maximumStepNorm: nil)
            iteration += 1
        }
    }

    public func run() { iterate(settings.iterations - iteration) }

    public var embedding: CellMatrix {
        CellMatrix(cells: count, genes: 2, values: positions.map { Float($0) })
    }
}
