import Foundation
import CellData
import Kernels

/// Every real-vs-generated metric available so far, each beside its floor: the same
/// metric between two samples of real cells, which is what "as good as real" scores —
/// two random halves of the real cells, or, given a `peer` sample (`wbdit eval --run` draws
/// as many training cells), the real cells against the peer, at the generated cells' own
/// sample sizes; with a peer, a copying check too (generated and held-out cells' distance
/// to the nearest peer cell). Definitions are in docs/metrics.md.
public struct Evaluation: Sendable {
    public struct Row: Sendable {
        public let key: String
        public let name: String
        public let generated: Double
        public let floor: Double
    }

    public let rows: [Row]

    /// Counts behind the compared cells, for the count-level rows: the real cells', the
    /// generated cells' and, with a peer, the peer's, over the same genes.
    public struct Counts {
        public let real: CellMatrix
        public let generated: CellMatrix
        public let peer: CellMatrix?
        public init(real: CellMatrix, generated: CellMatrix, peer: CellMatrix? = nil) {
            (self.real, self.generated, self.peer) = (real, generated, peer)
        }
    }

    /// `components` PCs for MMD, the Fréchet distance and the kNN classifier, fitted on all
    /// real cells unless `basis` gives the space (`wbdit eval --run` fits it on the run's
    /// training cells); `topGenes` most variable real genes for the gene–gene structure.
    /// With `labels` (the real cells' types) two more rows compare cell types, generated
    /// cells taking the type a 5-nearest-neighbour vote among the real cells gives them;
    /// their floor needs the peer's labels when there is a peer.
    public init(real: CellMatrix, generated: CellMatrix, components: Int = 50, topGenes: Int = 500, seed: UInt64 = 0,
                labels: [String]? = nil, basis: PCA? = nil, peer: (cells: CellMatrix, labels: [String]?)? = nil,
                counts: Counts? = nil) {
        precondition(real.genes == generated.genes, "Evaluation: \(real.genes) and \(generated.genes) genes")
        precondition(peer == nil || peer!.cells.genes == real.genes, "Evaluation: the peer's genes differ")
        let (first, second): (CellMatrix, CellMatrix)
        var floorLabels: ([String], [String])?
        var floorCounts: (CellMatrix, CellMatrix)?
        if let peer {
            (first, second) = (real, peer.cells)
            if let labels, let peerLabels = peer.labels { floorLabels = (labels, peerLabels) }
            if let counts, let peerCounts = counts.peer { floorCounts = (counts.real, peerCounts) }
        } else {
            var generator = SeededGenerator(seed: seed)
            var order = Array(0..<real.cells)
            generator.shuffle(&order)
            let (a, b) = (Array(order[..<(real.cells / 2)]), Array(order[(real.cells / 2)...]))
            (first, second) = (HeldOutSplit.rows(real, a), HeldOutSplit.rows(real, b))
            if let labels, labels.count == real.cells { floorLabels = (a.map { labels[$0] }, b.map { labels[$0] }) }
            if let counts { floorCounts = (HeldOutSplit.rows(counts.real, a), HeldOutSplit.rows(counts.real, b)) }
        }

        let pca = basis ?? PCA(fitting: real, components: components, seed: seed)
        let (pr, pg, p1, p2) = (pca.transform(real), pca.transform(generated), pca.transform(first), pca.transform(second))
        let mmd = MaximumMeanDiscrepancy(pr, pg), mmdFloor = MaximumMeanDiscrepancy(p1, p2)
        let genes = GeneLevelComparison(real: real, generated: generated)
        let genesFloor = GeneLevelComparison(real: first, generated: second)
        let structure = GeneCorrelationStructure(real: real, generated: generated, topGenes: topGenes)
        let structureFloor = GeneCorrelationStructure(real: first, generated: second, topGenes: topGenes)
        var labelRows: [Row] = []
        if let labels, labels.count == real.cells, let (l1, l2) = floorLabels {
            labelRows = Self.labelRows(real: pr, labels: labels, generated: pg, realCells: real, generatedCells: generated,
                                       first: (p1, first, l1), second: (p2, second, l2))
        }
        // With a peer of training cells: how near generated cells come to them, beside how
        // near held-out real cells come (copies of training cells would sit far closer).
        // The ratio's and the share's floors are what held-out cells give by definition.
        var copying: [Row] = []
        if peer != nil {
            let (ratio, nearCopies) = NearestCellDistance.copying(generated: pg, heldOut: pr, training: p2)
            copying = [
                Row(key: "nearest_training_median", name: "nearest training cell, median distance (PCs)",
                    generated: NearestCellDistance.median(of: pg, to: p2), floor: NearestCellDistance.median(of: pr, to: p2)),
                Row(key: "nearest_training_ratio", name: "nearest training cell, median distance / held-out's",
                    generated: ratio, floor: 1),
                Row(key: "near_copy_share", name: "near-copies (nearer than 5% of held-out cells)", generated: nearCopies, floor: 0.05),
            ]
        }
        var countRows: [Row] = []
        if let counts, let (c1, c2) = floorCounts {
            let (compared, floor) = (CountLevelComparison(real: counts.real, generated: counts.generated), CountLevelComparison(real: c1, generated: c2))
            countRows = [
                Row(key: "library_size_w1_log", name: "library size, W1 of ln(1 + counts)", generated: compared.librarySizeWasserstein,
                    floor: floor.librarySizeWasserstein),
                Row(key: "genes_detected_w1_log", name: "genes detected, W1 of ln(1 + genes)", generated: compared.genesDetectedWasserstein,
                    floor: floor.genesDetectedWasserstein),
                Row(key: "variance_ratio_median", name: "gene variance, generated / real, median", generated: compared.varianceRatioMedian,
                    floor: floor.varianceRatioMedian),
                Row(key: "variance_ratio_p90", name: "gene variance, generated / real, 90th pct", generated: compared.varianceRatioP90,
                    floor: floor.varianceRatioP90),
                Row(key: "gene_cv_spearman", name: "gene coefficient of variation, Spearman ρ", generated: compared.geneCVSpearman,
                    floor: floor.geneCVSpearman),
                Row(key: "cell_cv_w1", name: "cell coefficient of variation, W1", generated: compared.cellCVWasserstein,
                    floor: floor.cellCVWasserstein),
            ]
        }
        rows = labelRows + copying + [
            Row(key: "mmd2_rbf", name: "MMD² (RBF, median σ, \(pca.count) PCs)", generated: mmd.squared, floor: mmdFloor.squared),
            Row(key: "mmd2_rbf_biased", name: "MMD² (RBF, median σ, V-statistic)", generated: mmd.biasedSquared,
                floor: mmdFloor.biasedSquared),
            Row(key: "mmd2_rbf_multi", name: "MMD² (RBF, σ·¼…4)", generated: mmd.multiBandwidthSquared,
                floor: mmdFloor.multiBandwidthSquared),
            Row(key: "frechet_pca", name: "Fréchet distance² (PCs)", generated: FrechetDistance.squared(pr, pg),
                floor: FrechetDistance.squared(p1, p2)),
            Row(key: "knn_auc", name: "kNN real-vs-generated AUC (0.5 = alike)",
                generated: NeighbourClassifierAUC.auc(real: pr, generated: pg),
                floor: NeighbourClassifierAUC.auc(real: p1, generated: p2)),
            Row(key: "kl_reference", name: "KL, reference (softmax rows, paired)",
                generated: KLDivergence.reference(real: real, generated: generated),
                floor: KLDivergence.reference(real: first, generated: second)),
            Row(key: "kl_gene_histogram", name: "KL, per-gene histograms, mean",
                generated: KLDivergence.perGeneHistogram(real: real, generated: generated),
                floor: KLDivergence.perGeneHistogram(real: first, generated: second)),
            Row(key: "wasserstein1_gene_mean", name: "Wasserstein-1 per gene, mean", generated: genes.meanWasserstein,
                floor: genesFloor.meanWasserstein),
            Row(key: "ks_gene_mean", name: "Kolmogorov–Smirnov per gene, mean", generated: genes.meanKolmogorovSmirnov,
                floor: genesFloor.meanKolmogorovSmirnov),
            Row(key: "gene_mean_pearson", name: "gene means, Pearson r", generated: genes.meanPearson, floor: genesFloor.meanPearson),
            Row(key: "gene_mean_spearman", name: "gene means, Spearman ρ", generated: genes.meanSpearman,
                floor: genesFloor.meanSpearman),
            Row(key: "gene_variance_pearson", name: "gene variances, Pearson r", generated: genes.variancePearson,
                floor: genesFloor.variancePearson),
            Row(key: "gene_variance_spearman", name: "gene variances, Spearman ρ", generated: genes.varianceSpearman,
                floor: genesFloor.varianceSpearman),
            Row(key: "gene_gene_corr_r", name: "gene–gene correlation, r (\(structure.genes.count) genes)",
                generated: structure.pearson, floor: structureFloor.pearson),
            Row(key: "gene_gene_corr_rmse", name: "gene–gene correlation, RMSE", generated: structure.rmse,
                floor: structureFloor.rmse),
            Row(key: "zero_fraction_gene_gap", name: "zeros per gene, mean |gap|", generated: genes.geneZeroFractionGap,
                floor: genesFloor.geneZeroFractionGap),
            Row(key: "zero_fraction_cell_gap", name: "zeros per cell, real − generated", generated: genes.cellZeroFractionGap,
                floor: genesFloor.cellZeroFractionGap),
        ] + countRows
    }

    /// Label mix and marker genes: generated cells labelled by a kNN vote in PC space.
    static func labelRows(real pr: CellMatrix, labels: [String], generated pg: CellMatrix, realCells: CellMatrix,
                          generatedCells: CellMatrix, first: (CellMatrix, CellMatrix, [String]),
                          second: (CellMatrix, CellMatrix, [String])) -> [Row] {
        func compare(_ pa: CellMatrix, _ a: CellMatrix, _ la: [String], _ pb: CellMatrix, _ b: CellMatrix) -> (Double, Double, Double) {
            let predicted = LabelTransfer(real: pa, labels: la, generated: pb).predicted
            let overlaps = MarkerGenes.overlap(real: MarkerGenes(cells: a, labels: la), generated: MarkerGenes(cells: b, labels: predicted))
            let mean = overlaps.isEmpty ? Double.nan : overlaps.reduce(0) { $0 + $1.overlap } / Double(overlaps.count)
            let foldChanges = FoldChangeAgreement.meanCorrelation(real: a, realLabels: la, generated: b, generatedLabels: predicted)
            return (LabelTransfer.mixDistance(la, predicted), mean, foldChanges)
        }
        let (mix, markers, foldChanges) = compare(pr, realCells, labels, pg, generatedCells)
        let (mixFloor, markersFloor, foldChangesFloor) = compare(first.0, first.1, first.2, second.0, second.1)
        return [
            Row(key: "lfc_pearson", name: "log-fold change per type, r (top 100 genes)", generated: foldChanges, floor: foldChangesFloor),
            Row(key: "label_mix_tv", name: "cell-type mix, total variation (kNN types)", generated: mix, floor: mixFloor),
            Row(key: "marker_overlap", name: "top-20 marker genes shared, mean over types", generated: markers, floor: markersFloor),
        ]
    }
}
