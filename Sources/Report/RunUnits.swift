import Analysis
import CellData
import Diffusion
import Foundation
import Kernels
import Networks

/// A trained run's units read in genes and cell types (`wbdit inspect --units`): the
/// network denoises its held-out cells, noised lightly (timestep `noiseStep` of 1000), and
/// every ISTA atom (white-box) or MLP hidden unit (DiT) and every head of every layer is
/// read with `UnitMeaning` against those cells' expression and types. Two baselines are
/// read the same way on the same cells: as many random directions in each layer's unit
/// space as it has units, and the leading principal components of the expression.
public struct RunUnits: Sendable {
    public enum Kind: String, Sendable { case atom, unit, head, random, pca }

    public struct Unit: Sendable {
        public let layer: Int?
        public let kind: Kind
        public let meaning: UnitMeaning

        public init(layer: Int?, kind: Kind, meaning: UnitMeaning) { (self.layer, self.kind, self.meaning) = (layer, kind, meaning) }
    }

    /// What a head attends to: its attention averaged over the cells, [tokens, tokens].
    public struct Head: Sendable {
        public let layer: Int
        public let index: Int
        public let attention: [Float]

        public init(layer: Int, index: Int, attention: [Float]) { (self.layer, self.index, self.attention) = (layer, index, attention) }
    }

    public let architecture: Architecture
    /// The network's atoms or units, then its heads, layer by layer.
    public let units: [Unit]
    public let heads: [Head]
    /// The baselines' directions: random ones per layer, then the principal components.
    public let baselines: [Unit]
    public let geneNames: [String]
    /// Each token's three most weighted genes (its principal axes' loadings, or for a
    /// network on genes its genes with the highest mean expression).
    public let tokenNames: [[String]]
    public let cells: Int
    public let noiseStep: Int
    /// Per layer, the network's units' activations [cells, units] on the first `cells`
    /// held-out cells, in the run's held-out order (what colours the map by one unit).
    public let activations: [[Float]]

    public static let defaultNoiseStep = 10
    public static let cellLimit = 2000
    static let principalComponents = 50

    /// A reading from its parts (tests, and readings kept elsewhere).
    public init(architecture: Architecture, units: [Unit], heads: [Head], baselines: [Unit], geneNames: [String],
                tokenNames: [[String]], cells: Int, noiseStep: Int, activations: [[Float]] = []) {
        (self.architecture, self.units, self.heads, self.baselines) = (architecture, units, heads, baselines)
        (self.geneNames, self.tokenNames, self.cells, self.noiseStep) = (geneNames, tokenNames, cells, noiseStep)
        self.activations = activations
    }

    /// One unit's activation in each of the first `cells` held-out cells.
    public func activation(layer: Int, unit: Int) -> [Float]? {
        guard activations.indices.contains(layer) else { return nil }
        let width = activations[layer].count / max(1, cells)
        guard (0..<width).contains(unit) else { return nil }
        return (0..<cells).map { activations[layer][$0 * width + unit] }
    }

    /// `labels` names the obs column of cell types (the run's own when nil).
    public init(run: TrainedRun, labels column: String? = nil, noiseStep: Int = RunUnits.defaultNoiseStep, seed: UInt64 = 0) throws {
        let evaluation = try run.evaluationCells(labelsFrom: column)
        guard let labels = evaluation.heldOutLabels, let peerLabels = evaluation.peerLabels else {
            throw TrainingError("\(run.path) keeps no cell types: give --labels with the obs column that holds them")
        }
        guard let names = run.cells.geneNames else { throw TrainingError("\(run.path)'s data has no gene names to read units in") }
        let (network, _) = try run.network(readouts: true)
        let rows = Array(EvaluationCells.heldOutCells(run.split).prefix(Self.cellLimit))
        let n = rows.count
        let input = try run.networkInput(rows)
        let readouts = input.values.withUnsafeBufferPointer {
            ProbeBatch.unitReadouts(network, data: $0.baseAddress!, cells: n, seed: seed, step: noiseStep)
        }
        var generator = SeededGenerator(seed: seed, stream: 0x0417)   // the random directions

        let expression = HeldOutSplit.rows(evaluation.heldOut, Array(0..<n))
        let types = Array(labels.prefix(n))
        let markers = UnitMeaning.markers(evaluation.peer, labels: peerLabels)
        func read(_ values: [Float], width: Int) -> [UnitMeaning] {
            UnitMeaning.read(CellMatrix(cells: n, genes: width, values: values), expression: expression, labels: types, markers: markers)
        }
        let kind: Kind = network.config.architecture == .whiteBox ? .atom : .unit
        // The network's units are read together, so their q-values share one correction; so are the heads, and each baseline.
        var units: [Unit] = []
        let perLayer = readouts.map { read($0.activations, width: $0.units) }
        units += Self.corrected(zip(readouts, perLayer).flatMap { r, m in m.map { Unit(layer: r.layer, kind: kind, meaning: $0) } })
        let headMeanings = readouts.map { read($0.headRates, width: $0.heads) }
        units += Self.corrected(zip(readouts, headMeanings).flatMap { r, m in m.map { Unit(layer: r.layer, kind: .head, meaning: $0) } })
        var baselines: [Unit] = []
        let random = readouts.map { r -> [UnitMeaning] in
            let directions = (0..<(r.units * r.units)).map { _ in generator.nextNormal() }
            var projected = [Float](repeating: 0, count: n * r.units)
            Matmul.gemm(.none, .none, m: n, n: r.units, k: r.units, a: r.activations, lda: r.units, b: directions, ldb: r.units,
                        c: &projected, ldc: r.units)
            return read(projected, width: r.units)
        }
        baselines += Self.corrected(zip(readouts, random).flatMap { r, m in m.map { Unit(layer: r.layer, kind: .random, meaning: $0) } })
        let pca = PCA(fitting: evaluation.basis, components: max(1, min(Self.principalComponents, evaluation.basis.cells - 1, expression.genes)))
        baselines += Self.corrected(read(pca.transform(expression).values, width: pca.count).map { Unit(layer: nil, kind: .pca, meaning: $0) })

        architecture = network.config.architecture
        self.units = units
        self.baselines = baselines
        heads = readouts.flatMap { r in
            (0..<r.heads).map { h in Head(layer: r.layer, index: h, attention: Array(r.attention[(h * r.tokens * r.tokens)..<((h + 1) * r.tokens * r.tokens)])) }
        }
        geneNames = names
        tokenNames = Self.tokenNames(network.config, basis: run.basis, input: input, expression: expression, names: names)
        cells = n
        self.noiseStep = noiseStep
        activations = readouts.map(\.activations)
    }

    /// The units with their q-values corrected together (Benjamini–Hochberg over all of them).
    static func corrected(_ units: [Unit]) -> [Unit] {
        zip(units, UnitMeaning.corrected(units.map(\.meaning))).map { Unit(layer: $0.layer, kind: $0.kind, meaning: $1) }
    }

    /// Each token's three genes with the most variance from it: on a principal basis, gene
    /// g gets Σ_j var(score_j)·A_gj² over the token's components j (the variance its scores
    /// put back into g); on genes, the token's genes with the largest variance.
    static func tokenNames(_ config: ModelConfig, basis: PrincipalBasis?, input: CellMatrix, expression: CellMatrix,
                           names: [String]) -> [[String]] {
        let (p, g, n) = (config.patchSize, expression.genes, input.cells)
        func variance(_ m: CellMatrix, _ j: Int) -> Double {
            let column = (0..<n).map { Double(m.values[$0 * m.genes + j]) }
            let mean = column.reduce(0, +) / Double(n)
            return column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(1, n - 1))
        }
        return (0..<config.tokens).map { token in
            let inputs = (token * p)..<min((token + 1) * p, config.inputWidth)
            var weight = [Double](repeating: 0, count: g)
            if let basis {
                for j in inputs {
                    let v = variance(input, j)
                    for gene in 0..<g { weight[gene] += v * Double(basis.axes[gene * g + j] * basis.axes[gene * g + j]) }
                }
            } else {
                for gene in inputs { weight[gene] = variance(expression, gene) }
            }
            return weight.indices.sorted { (weight[$0], -$0) > (weight[$1], -$1) }.prefix(3).map { names[$0] }
        }
    }

    /// The kinds of direction read, each with its name, in the order tables list them.
    public var kinds: [(name: String, kind: Kind)] {
        architecture == .whiteBox
            ? [("ISTA atoms", .atom), ("MSSA heads", .head), ("random directions, same layers", .random), ("principal components", .pca)]
            : [("MLP hidden units", .unit), ("attention heads", .head), ("random directions, same layers", .random), ("principal components", .pca)]
    }

    /// A unit's leading tracking genes as "GENE +0.81", strongest first, leaving out `gene`.
    public func trackingGenes(_ m: UnitMeaning, count: Int, except gene: Int? = nil) -> [String] {
        m.topGenes.filter { $0.gene != gene }.prefix(count).map { "\(geneNames[$0.gene]) \(String(format: "%+.2f", $0.rho))" }
    }

    /// The network's own units (atoms or MLP units) in `layer`, most specific first.
    public func mostSpecific(layer: Int) -> [UnitMeaning] {
        units.filter { $0.layer == layer && ($0.kind == .atom || $0.kind == .unit) && $0.meaning.type != nil }.map(\.meaning)
            .sorted { ($0.specificity, -$0.index) > ($1.specificity, -$1.index) }
    }

    /// How many directions of `kind` there are, how many are enriched for one type's
    /// markers, and how many are specific to one type.
    public func count(_ kind: Kind) -> (total: Int, enriched: Int, specific: Int) {
        let chosen = (units + baselines).filter { $0.kind == kind }
        return (chosen.count, chosen.filter(\.meaning.isEnriched).count, chosen.filter(\.meaning.isSpecific).count)
    }
}
