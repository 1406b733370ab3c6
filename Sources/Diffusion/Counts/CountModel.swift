import CellData
import Dispatch
import Foundation
import Kernels

/// The observation model that turns generated cells into UMI counts. The network's cells
/// are smooth where real cells are not: they lie on the training cells' leading principal
/// components, so most real zeros are missing and each gene's distribution is too narrow.
/// This model puts the sampling noise back, the way count-based generators (scVI, CFGen)
/// do, around the network's cell:
///
///     x̂_c  = the cell's projection on the leading k components (log-normalised units)
///     m_cg = min(max(h_g(x̂_cg), floor_g), S)   h_g: `ExpressionCalibration`, the training
///                                               cells' mean normalised count at that value
///     d    = a training cell near c in those k scores, its donor (`DepthDonors`)
///     w_cg = (a_g m_cg)^γ_c                    γ_c: the composition sharpened until, drawn
///                                               as the donor is, it detects as many genes as
///                                               the donor's own smooth part (`CellComplexity`)
///     y_cg ~ NB(mean T_d · w_cg / Σ_h w_ch, dispersion φ_d θ_g)
///
/// with S the run's `normalize_total` target, T_d the donor's counts over the model's genes
/// and φ_d the donor's complexity, its factor on every gene's dispersion. The network gives the
/// cell's composition; the donor gives its depth, as scVI takes a cell's library over the
/// genes it models, and its complexity. The counts are log-normalised with the donor's
/// whole library, as the training cells were. k is chosen per dataset on held-out molecules
/// (`MolecularCrossValidation`): the components past it are mostly sampling noise, which
/// the network reproduces with the rest of the cell; kept, that noise would be counted
/// twice, once in x̂ and once in the negative binomial (on a 400-gene panel it doubled each
/// gene's variance). The per-gene scale a_g and dispersion θ_g are fitted by maximum
/// likelihood on training cells' counts around their own smooth parts (θ_g with each cell's
/// factor φ_c), so the model adds just the noise a real cell shows around its smooth part.
public struct CountModel {
    public let targetSum: Double
    /// Per gene: a_g, θ_g and the floor of m_cg.
    public let scale: [Float]
    public let dispersion: [Float]
    public let floor: [Float]
    /// The basis whose leading components are a cell's smooth part.
    public let basis: PrincipalBasis
    /// How many leading components the smooth part keeps.
    public var smoothComponents: Int { basis.components }
    /// h_g, from a smooth value to a mean normalised count.
    let calibration: ExpressionCalibration
    /// The training cells whose depths generated cells take.
    let donors: DepthDonors

    /// Training cells the model is fitted on (at most), and the components of a run without a basis.
    public static let fitLimit = 5000
    public static let defaultComponents = 200

    /// A model from its parts, as `CountModel(contentsOf:)` reads them back.
    init(targetSum: Double, scale: [Float], dispersion: [Float], floor: [Float], basis: PrincipalBasis,
         calibration: ExpressionCalibration, donors: DepthDonors) {
        (self.targetSum, self.scale, self.dispersion, self.floor, self.basis) = (targetSum, scale, dispersion, floor, basis)
        (self.calibration, self.donors) = (calibration, donors)
    }

    /// Fits the model on training cells (log-normalised, in the data's units) with their
    /// library sizes, around their smooth parts on `basis`'s leading components: the curves
    /// h_g, then the genes' scales a_g and the cells' depths r_c by alternating maximum
    /// likelihood (a rank-one Poisson fit of the counts to r_c · a_g · m_cg), then each
    /// gene's dispersion θ_g, then the cells' complexities with θ_g again (`CellComplexity`).
    public init(fitting cells: CellMatrix, librarySizes: [Float], basis: PrincipalBasis, targetSum: Double) {
        precondition(librarySizes.count == cells.cells && basis.genes == cells.genes, "CountModel: cells, sizes and basis disagree")
        let (n, g) = (cells.cells, cells.genes)
        let smooth = Self.smoothValues(cells, basis)
        let counts = CountStatistics.counts(logNormalised: cells, librarySizes: librarySizes, targetSum: targetSum).values
        let calibration = ExpressionCalibration(smooth: smooth, normalised: cells.values.map(expm1), cells: n, genes: g)
        let expected = calibration.means(smooth)
        var floor = [Float](repeating: 1, count: g)
        for j in 0..<g {
            var mean = 0.0
            for c in 0..<n { mean += Double(expected[c * g + j]) }
            floor[j] = Float(max(1e-6, 0.01 * mean / Double(n)))
        }
        // m_cg at its floor, and each cell's counts over these genes.
        var base = [Float](repeating: 0, count: n * g), totals = [Double](repeating: 0, count: n)
        for c in 0..<n {
            for j in 0..<g {
                base[c * g + j] = max(expected[c * g + j], floor[j])
                totals[c] += Double(counts[c * g + j])
            }
        }
        var scale = [Double](repeating: 1, count: g), depth = [Double](repeating: 1, count: n)
        for _ in 0..<5 {
            for j in 0..<g {
                var (observed, expected) = (0.0, 0.0)
                for c in 0..<n { observed += Double(counts[c * g + j]); expected += depth[c] * Double(base[c * g + j]) }
                scale[j] = observed > 0 && expected > 0 ? observed / expected : 1
            }
            for c in 0..<n {
                var expected = 0.0
                for j in 0..<g { expected += scale[j] * Double(base[c * g + j]) }
                depth[c] = expected > 0 ? totals[c] / expected : 0
            }
        }
        var dispersion = [Float](repeating: 1, count: g)
        var means = [Float](repeating: 0, count: n * g)
        for c in 0..<n { for j in 0..<g { means[c * g + j] = Float(depth[c] * scale[j] * Double(base[c * g + j])) } }
        dispersion.withUnsafeMutableBufferPointer { thetaOut in
            let thetaOut = thetaOut   // a Sendable view for the workers
            DispatchQueue.concurrentPerform(iterations: g) { j in
                let y = (0..<n).map { Double(counts[$0 * g + j]) }
                thetaOut[j] = Float(y.contains { $0 > 0 } ? NegativeBinomialFit.dispersion(counts: y, means: (0..<n).map { Double(means[$0 * g + j]) }) : 1e4)
            }
        }
        let complexity = CellComplexity(counts: counts, means: means, cells: n, genes: g, dispersion: dispersion)
        self.init(targetSum: targetSum, scale: scale.map(Float.init), dispersion: complexity.dispersion, floor: floor, basis: basis,
                  calibration: calibration,
                  donors: DepthDonors(scores: basis.project(cells), libraries: librarySizes, totals: totals.map(Float.init),
                                      detected: complexity.smoothDetected, factors: complexity.factors))
    }

    /// Each cell's projection on the basis's leading components, in the cells' units.
    static func smoothValues(_ cells: CellMatrix, _ basis: PrincipalBasis) -> [Float] {
        var values = cells.values
        basis.project(&values)
        basis.restore(&values)
        return values
    }

    /// Counts for generated cells (log-normalised, in the data's units), cells `firstCell…`
    /// of a sample: each cell depends only on `seed` and its index in the sample.
    public func counts(for generated: CellMatrix, seed: UInt64, firstCell: Int = 0) -> GeneratedCounts {
        precondition(generated.genes == basis.genes, "CountModel: \(generated.genes) genes, fitted on \(basis.genes)")
        let (n, g) = (generated.cells, generated.genes)
        let expected = calibration.means(Self.smoothValues(generated, basis))
        let near = donors.candidates(basis.project(generated))
        var counts = [Float](repeating: 0, count: n * g), sizes = [Float](repeating: 0, count: n)
        counts.withUnsafeMutableBufferPointer { out in
            sizes.withUnsafeMutableBufferPointer { sizesOut in
                let (out, sizesOut) = (out, sizesOut)
                DispatchQueue.concurrentPerform(iterations: n) { c in
                    var generator = SeededGenerator(seed: seed, stream: 0xC0_0000 + UInt64(firstCell + c))
                    let donor = donors.donor(c, among: near, &generator)
                    sizesOut[c] = donors.libraries[donor]
                    // The cell's composition a_g · m_cg, sharpened to detect as many genes at the
                    // donor's depth as the donor's smooth part does, then drawn with the donor's
                    // dispersion factor. At most the whole normalised library in one gene: a
                    // network far from trained (an early sample) can ask for anything.
                    let weights = (0..<g).map { j in Double(scale[j]) * min(max(Double(expected[c * g + j]), Double(floor[j])), targetSum) }
                    let factor = Double(donors.factors[donor])
                    var means = [Double](repeating: 0, count: g)
                    if weights.allSatisfy({ $0 > 0 && $0.isFinite }) {
                        weights.withUnsafeBufferPointer { w in
                            means.withUnsafeMutableBufferPointer {
                                CellComplexity.sharpen(w, total: Double(donors.totals[donor]), dispersion: dispersion, factor: factor,
                                                       target: Double(donors.detected[donor]), into: $0)
                            }
                        }
                    }
                    for j in 0..<g {
                        out[c * g + j] = Float(generator.nextNegativeBinomial(mean: means[j], dispersion: factor * Double(dispersion[j])))
                    }
                }
            }
        }
        return GeneratedCounts(counts: CellMatrix(cells: n, genes: g, values: counts), librarySizes: sizes, targetSum: targetSum)
    }
}

/// Generated UMI counts, with the library size each cell was drawn with.
public struct GeneratedCounts {
    public let counts: CellMatrix
    /// Each cell's library size: the whole-transcriptome total its counts are normalised by.
    public let librarySizes: [Float]
    public let targetSum: Double

    public init(counts: CellMatrix, librarySizes: [Float], targetSum: Double) {
        self.counts = counts
        self.librarySizes = librarySizes
        self.targetSum = targetSum
    }

    /// The counts log-normalised as the training cells were: log1p(y / L · S).
    public var logNormalised: CellMatrix {
        let g = counts.genes
        var values = counts.values
        for c in 0..<counts.cells {
            let factor = librarySizes[c] > 0 ? Float(targetSum) / librarySizes[c] : 0
            for j in 0..<g { values[c * g + j] = log1p(values[c * g + j] * factor) }
        }
        return CellMatrix(cells: counts.cells, genes: g, values: values)
    }

    /// Per cell, its counts' sum over the genes written (scanpy's `total_counts`) and how
    /// many of them are non-zero (`n_genes_by_counts`).
    public var totalCounts: [Double] { CountStatistics.totals(counts) }
    public var genesDetected: [Double] { CountStatistics.detected(counts) }
}

extension CountModel {
    /// Where the counts behind a source's cells come from, as a run records it.
    public static func origin(_ source: CellSource) -> String {
        if let reason = unavailability(source) { return "none: \(reason)" }
        if case .whole(let prepared) = source, prepared.librarySizesRecovered {
            return "recovered from the log-normalised values (each cell's smallest value a whole number of counts)"
        }
        return "the file's counts"
    }

    /// Why a run's cells cannot come out as counts, or nil when they can.
    public static func unavailability(_ source: CellSource) -> String? {
        switch source {
        case .streamed(let streamed):
            return streamed.holdsCounts ? nil : "its data arrived without counts (already normalised), so no library sizes are known"
        case .whole(let prepared):
            return prepared.librarySizes == nil ? "its data arrived without counts (already normalised), so no library sizes are known" : nil
        case .kept(let kept):
            return kept.librarySizes == nil ? "the cells the run keeps have no counts (its data arrived normalised, or was streamed by a wbdit that kept no streamed counts)" : nil
        }
    }

    /// The training cells the model is fitted on.
    public static func fitCells(_ split: HeldOutSplit) -> [Int] { split.trainingSample(fitLimit, salt: 0xC0DE) }

    /// A run's count model: fitted on up to `fitLimit` of its training cells around the
    /// leading components of the network's own basis (or, for a network on genes, of the
    /// cells' own `defaultComponents`), as many as molecular cross-validation keeps. Nil
    /// when `unavailability` gives a reason.
    public static func ofRun(_ config: TrainingConfig, source: CellSource, split: HeldOutSplit,
                             basis: PrincipalBasis?) throws -> CountModel? {
        guard unavailability(source) == nil else { return nil }
        let sample = fitCells(split)
        guard sample.count >= 2, let sizes = try source.librarySizes(sample) else { return nil }
        var cells = try source.rows(sample)
        if let scale = config.data.geneScale { Preprocessing.unscale(&cells.values, genes: cells.genes, scale: scale) }
        // A basis fitted on scaled genes (--scale-genes) does not apply to cells in the data's units.
        let ownBasis = config.data.geneScale == nil ? basis : nil
        guard let smoothBasis = ownBasis ?? PrincipalBasis(fitting: cells)?.leading(min(defaultComponents, cells.genes, sample.count - 1)) else {
            throw TrainingError("the principal components of the training cells could not be computed")
        }
        let targetSum = config.data.preparation.targetSum
        let counts = CountStatistics.counts(logNormalised: cells, librarySizes: sizes, targetSum: targetSum)
        let rank = MolecularCrossValidation(counts: counts, librarySizes: sizes, targetSum: targetSum,
                                            maxComponents: smoothBasis.components, seed: 0xC0DE)?.rank ?? smoothBasis.components
        return CountModel(fitting: cells, librarySizes: sizes, basis: smoothBasis.leading(rank), targetSum: targetSum)
    }
}
