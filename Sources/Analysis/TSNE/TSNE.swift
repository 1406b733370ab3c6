import CellData
import Foundation
import Kernels

/// The settings of a t-SNE run; the defaults are openTSNE's.
public struct TSNESettings: Sendable, Equatable {
    public var perplexity = 30.0
    public var earlyExaggeration = 12.0
    public var earlyIterations = 250
    public var iterations = 500
    public var momentum = 0.8
    /// Barnes–Hut's accuracy: a cell whose side over its distance is below θ acts as one point.
    public var theta = 0.5
    /// Up to this many points, affinities over all pairs and the exact gradient; above it,
    /// affinities over the 3·perplexity nearest neighbours and Barnes–Hut.
    public var exactLimit = 1000
    /// From this many points on, the repulsion is interpolated on a grid (FIt-SNE), not
    /// summed over Barnes–Hut's tree: faster on large maps, slower on small ones.
    public var interpolationFrom = 50_000
    /// From this many points on, each point's neighbours come from a random projection
    /// forest (`RandomProjectionForest`), not the exact search, whose cost grows with the
    /// square of the points (openTSNE uses Annoy's forest).
    public var approximateNeighboursFrom = 50_000
    /// The largest step a point may take in one iteration.
    public var maximumStepNorm: Double? = 5
    public var seed: UInt64 = 0
    /// Spread each iteration over the engine's threads. Leave it off beside a running
    /// trainer, which owns them.
    public var parallel = false

    public init() {}
}

/// t-SNE (van der Maaten & Hinton 2008) of points in a feature space (usually 50 principal
/// components) to 2-D, following openTSNE: PCA initialisation rescaled to standard
/// deviation 10⁻⁴, early exaggeration 12 for 250 iterations at learning rate N/12, then
/// 500 iterations at N; gradients without the factor 4, gains and momentum 0.8.
///
/// The repulsion is summed over all pairs on small maps, over a Barnes–Hut tree on larger
/// ones and interpolated on a grid (`InterpolatedRepulsion`) from `interpolationFrom` points;
/// the neighbours are exact up to `approximateNeighboursFrom` points, a forest's above.
///
/// It runs incrementally: `iterate(_:)` advances a few iterations, so a display can redraw
/// the map as it forms. `place(_:)` adds new points to the finished map without moving it.
public final class TSNE: @unchecked Sendable {
    public let settings: TSNESettings
    /// The points, in the map's layout order (`embedding` is in the input's).
    public let points: CellMatrix
    public let affinities: Affinities
    /// How the repulsion is computed.
    public enum Repulsion: String, Sendable { case exact, barnesHut = "Barnes-Hut", interpolated = "FFT-interpolated" }
    public let repulsion: Repulsion
    public var usesExactGradient: Bool { repulsion == .exact }
    /// [n, 2] x, y interleaved, in the layout order.
    public private(set) var positions: [Double]
    /// For a large map, the order its points are laid out in memory: along a Z-order curve
    /// over their starting positions, so that neighbours in the data sit near each other in
    /// memory and the attraction's reads of their positions mostly hit the cache (a million
    /// points in the input's order miss it on almost every read). `layout[k]` is point k's
    /// row in the input; nil keeps the input's order.
    private let layout: [Int]?
    public private(set) var iteration = 0
    private var descent: GainsDescent
    private var gradient: [Double]
    private let interpolation = InterpolatedRepulsion()

    /// The perplexity the affinities were fitted at: the one asked for, lowered (as openTSNE
    /// does) to a third of the neighbours when there are too few cells for it.
    public let perplexity: Double
    public var count: Int { points.cells }
    public var totalIterations: Int { settings.earlyIterations + settings.iterations }
    public var isFinished: Bool { iteration >= totalIterations }
    public var isExaggerating: Bool { iteration < settings.earlyIterations }

    public init(points: CellMatrix, settings: TSNESettings = TSNESettings()) {
        precondition(points.cells >= 2, "t-SNE needs at least 2 points")
        self.settings = settings
        let n = points.cells
        repulsion = n <= settings.exactLimit ? .exact : n >= settings.interpolationFrom ? .interpolated : .barnesHut
        let k = repulsion == .exact ? n - 1 : min(n - 1, Int(3 * settings.perplexity))
        perplexity = max(1, min(settings.perplexity, Double(k) / 3))
        let start = Self.initialPositions(points, seed: settings.seed)
        let large = n >= settings.approximateNeighboursFrom && repulsion != .exact
        layout = large ? Self.zOrder(start) : nil
        (self.points, positions) = layout.map { order in
            (HeldOutSplit.rows(points, order), order.flatMap { [start[2 * $0], start[2 * $0 + 1]] })
        } ?? (points, start)
        let neighbours = large
            ? RandomProjectionForest(seed: settings.seed).neighbours(of: self.points, k: k, parallel: settings.parallel)
            : NearestNeighbours(of: self.points, in: self.points, k: k, excludingSelf: true)
        affinities = Affinities.conditional(neighbours: neighbours.indices, squaredDistances: neighbours.squaredDistances,
                                            k: neighbours.k, perplexity: perplexity).symmetrised()
        descent = GainsDescent(count: 2 * n)
        gradient = [Double](repeating: 0, count: 2 * n)
    }

    /// The points ordered along a Z-order (Morton) curve over `xy` [n, 2]: each coordinate cut
    /// into 2¹⁶ steps of its range, their bits interleaved.
    static func zOrder(_ xy: [Double]) -> [Int] {
        let n = xy.count / 2
        func range(_ c: Int) -> (low: Double, width: Double) {
            let values = stride(from: c, to: xy.count, by: 2).map { xy[$0] }
            let (low, high) = (values.min() ?? 0, values.max() ?? 0)
            return (low, max(high - low, .leastNormalMagnitude))
        }
        let (x, y) = (range(0), range(1))
        func spread(_ v: UInt64) -> UInt64 {   // bit i to bit 2i
            var v = v & 0xFFFF
            v = (v | v << 8) & 0x00FF_00FF; v = (v | v << 4) & 0x0F0F_0F0F
            v = (v | v << 2) & 0x3333_3333; v = (v | v << 1) & 0x5555_5555
            return v
        }
        let codes = (0..<n).map { i -> UInt64 in
            let qx = UInt64(min(65535, max(0, (xy[2 * i] - x.low) / x.width * 65535)))
            let qy = UInt64(min(65535, max(0, (xy[2 * i + 1] - y.low) / y.width * 65535)))
            return spread(qx) | spread(qy) << 1
        }
        return (0..<n).sorted { (codes[$0], $0) < (codes[$1], $1) }
    }

    /// The first two principal components, scaled so the first has standard deviation 10⁻⁴,
    /// with jitter of 1% of that so no two points coincide.
    static func initialPositions(_ points: CellMatrix, seed: UInt64) -> [Double] {
        let n = points.cells
        let pca = PCA(fitting: points, components: 2, seed: seed).transform(points)
        var xy = [Double](repeating: 0, count: 2 * n)
        for i in 0..<n { for c in 0..<min(2, pca.genes) { xy[2 * i + c] = Double(pca.values[i * pca.genes + c]) } }
        let mean = (0..<n).reduce(0.0) { $0 + xy[2 * $1] } / Double(n)
        let variance = (0..<n).reduce(0.0) { $0 + (xy[2 * $1] - mean) * (xy[2 * $1] - mean) } / Double(n)
        let scale = variance > 0 ? 1e-4 / variance.squareRoot() : 1
        var generator = SeededGenerator(seed: seed &+ 0x75E)
        for c in 0..<(2 * n) { xy[c] = xy[c] * scale + Double(generator.nextNormal()) * 1e-6 }
        return xy
    }

    /// Runs up to `count` more iterations of the schedule.
    public func iterate(_ count: Int = 1) {
        let n = points.cells
        for _ in 0..<count where !isFinished {
            let exaggeration = isExaggerating ? settings.earlyExaggeration : 1
            _ = Self.gradient(of: positions, affinities, exaggeration: exaggeration, repulsion: repulsion,
                              theta: settings.theta, parallel: settings.parallel, measuringKL: false,
                              interpolation: interpolation, into: &gradient)
            descent.step(&positions, gradient: &gradient, learningRate: Double(n) / exaggeration,
                         momentum: settings.momentum, maximumGradientNorm: nil, maximumStepNorm: settings.maximumStepNorm)
            var (mx, my) = (0.0, 0.0)
            for i in 0..<n { mx += positions[2 * i]; my += positions[2 * i + 1] }
            for i in 0..<n { positions[2 * i] -= mx / Double(n); positions[2 * i + 1] -= my / Double(n) }
            iteration += 1
        }
    }

    /// Runs the whole schedule.
    public func run() { iterate(totalIterations - iteration) }

    /// The input's row of the map's point `k` (in the layout order).
    func inputRow(_ k: Int) -> Int { layout?[k] ?? k }

    /// The map as a [n, 2] matrix, in the input's order.
    public var embedding: CellMatrix {
        guard let layout else { return CellMatrix(cells: points.cells, genes: 2, values: positions.map { Float($0) }) }
        var values = [Float](repeating: 0, count: positions.count)
        for (k, row) in layout.enumerated() { (values[2 * row], values[2 * row + 1]) = (Float(positions[2 * k]), Float(positions[2 * k + 1])) }
        return CellMatrix(cells: points.cells, genes: 2, values: values)
    }

    /// KL(P ‖ Q) of the current map, with Q's normaliser by the same method as the gradient.
    public func klDivergence() -> Double {
        var scratch = [Double](repeating: 0, count: positions.count)
        return Self.gradient(of: positions, affinities, exaggeration: 1, repulsion: repulsion,
                             theta: settings.theta, into: &scratch)
    }

    /// The gradient of KL(exaggeration·P ‖ Q) (without t-SNE's customary factor 4) into
    /// `gradient`; returns KL(P ‖ Q), or NaN when not `measuringKL` (its logarithms cost a
    /// sixth of an iteration).
    static func gradient(of y: [Double], _ p: Affinities, exaggeration: Double, repulsion: Repulsion, theta: Double,
                         parallel: Bool = false, measuringKL: Bool = true, interpolation: InterpolatedRepulsion? = nil,
                         into gradient: inout [Double]) -> Double {
        let n = p.rows
        var z = 0.0
        // Repulsion: Σ_j w_ij² (y_i − y_j), and Z = Σ_{i≠j} w_ij.
        switch repulsion {
        case .interpolated:
            z = (interpolation ?? InterpolatedRepulsion()).repulsion(positions: y, count: n, into: &gradient, parallel: parallel)
        case .exact:
            for c in 0..<(2 * n) { gradient[c] = 0 }
            for i in 0..<n {
                let (xi, yi) = (y[2 * i], y[2 * i + 1])
                var (fx, fy) = (0.0, 0.0)
                for j in 0..<n where j != i {
                    let dx = xi - y[2 * j], dy = yi - y[2 * j + 1]
                    let w = 1 / (1 + dx * dx + dy * dy)
                    z += w
                    fx += w * w * dx; fy += w * w * dy
                }
                gradient[2 * i] = fx; gradient[2 * i + 1] = fy
            }
        case .barnesHut:
            let tree = y.withUnsafeBufferPointer { BarnesHutTree(positions: $0.baseAddress!, count: n) }
            let pieces = parallel ? Threads.count : 1
            var partials = [Double](repeating: 0, count: pieces)
            gradient.withUnsafeMutableBufferPointer { g in
                partials.withUnsafeMutableBufferPointer { z in
                    let (g, z) = (g.baseAddress!, z.baseAddress!)
                    let body = { (piece: Int) in
                        var stack: [Int] = []
                        stack.reserveCapacity(256)
                        var sum = 0.0
                        for i in Parallel.range(piece, of: pieces, total: n) {
                            var force = (0.0, 0.0)
                            sum += tree.repulsion(x: y[2 * i], y: y[2 * i + 1], own: i, theta: theta, force: &force, stack: &stack)
                            g[2 * i] = force.0; g[2 * i + 1] = force.1
                        }
                        z[piece] = sum
                    }
                    if pieces > 1 { Parallel.split(pieces) { range in for piece in range { body(piece) } } } else { body(0) }
                }
            }
            z = partials.reduce(0, +)
        }
        for c in 0..<(2 * n) { gradient[c] = -gradient[c] / z }
        let kl = attract(y, p, exaggeration: exaggeration, parallel: parallel, measuringKL: measuringKL, into: &gradient)
        return measuringKL ? kl + log(z) : .nan
    }

    /// Adds the attraction Σ_j p_ij w_ij (y_i − y_j), times `exaggeration`, to `gradient`;
    /// returns the KL's data term Σ p_ij log(p_ij / w_ij) when `measuringKL`. Each point's
    /// row is its own, so rows are spread over the threads with `parallel`; the KL's pieces
    /// are added in piece order.
    private static func attract(_ y: [Double], _ p: Affinities, exaggeration: Double, parallel: Bool, measuringKL: Bool,
                                into gradient: inout [Double]) -> Double {
        let n = p.rows, pieces = parallel ? Threads.count : 1
        var partials = [Double](repeating: 0, count: pieces)
        y.withUnsafeBufferPointer { y in
            p.rowStart.withUnsafeBufferPointer { starts in
                p.columns.withUnsafeBufferPointer { columns in
                    p.values.withUnsafeBufferPointer { values in
                        gradient.withUnsafeMutableBufferPointer { g in
                            partials.withUnsafeMutableBufferPointer { partials in
                                let (y, starts, columns, values, g, partials) = (y.baseAddress!, starts.baseAddress!, columns.baseAddress!,
                                                                                 values.baseAddress!, g.baseAddress!, partials.baseAddress!)
                                let body = { (piece: Int) in
                                    var kl = 0.0
                                    for i in Parallel.range(piece, of: pieces, total: n) {
                                        let (xi, yi) = (y[2 * i], y[2 * i + 1])
                                        var (fx, fy) = (0.0, 0.0)
                                        for e in starts[i]..<starts[i + 1] {
                                            let j = Int(columns[e]), pij = values[e]
                                            let dx = xi - y[2 * j], dy = yi - y[2 * j + 1]
                                            let w = 1 / (1 + dx * dx + dy * dy)
                                            fx += pij * w * dx; fy += pij * w * dy
                                            if measuringKL, pij > 0 { kl += pij * log(pij / w) }
                                        }
                                        g[2 * i] += exaggeration * fx; g[2 * i + 1] += exaggeration * fy
                                    }
                                    partials[piece] = kl
                                }
                                if pieces > 1 { Parallel.split(pieces) { range in for piece in range { body(piece) } } } else { body(0) }
                            }
                        }
                    }
                }
            }
        }
        return partials.reduce(0, +)
    }
}
