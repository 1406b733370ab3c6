import CellData
import Kernels

/// A two-sample test by classification: can a k-nearest-neighbour classifier tell real
/// cells from generated ones? Cells of both sets are pooled and labelled; in each of
/// `folds` folds (cell i of the pooled list is in fold i mod `folds`) a cell's score is
/// the fraction of its k nearest neighbours among the other folds that are generated
/// (scikit-learn's `KNeighborsClassifier.predict_proba`, Euclidean, uniform weights).
/// The AUC of those scores for telling generated from real is 0.5 when the sets are
/// indistinguishable and 1 when they are separate.
public enum NeighbourClassifierAUC {
    public static func auc(real a: CellMatrix, generated b: CellMatrix, neighbours k: Int = 5, folds: Int = 5) -> Double {
        precondition(a.genes == b.genes, "NeighbourClassifierAUC: \(a.genes) and \(b.genes) dimensions")
        let total = a.cells + b.cells, d = a.genes
        let points = FloatBuffer(a.values + b.values), gram = FloatBuffer(count: total * total)
        Matmul.gemm(.none, .transposed, m: total, n: total, k: d, a: points.constPointer, lda: d,
                    b: points.constPointer, ldb: d, c: gram.pointer, ldc: total)
        let generated = (0..<total).map { $0 >= a.cells }
        var scores = [Double](repeating: 0, count: total)
        for i in 0..<total {
            // The k nearest cells of the other folds, kept sorted by (distance, index): scanning
            // in index order, a later cell at an equal distance never displaces an earlier one.
            var nearest: [(distance: Double, index: Int)] = []
            nearest.reserveCapacity(k + 1)
            for j in 0..<total where j % folds != i % folds {
                let squared = Double(gram[i * total + i]) + Double(gram[j * total + j]) - 2 * Double(gram[i * total + j])
                guard nearest.count < k || squared < nearest[nearest.count - 1].distance else { continue }
                let position = nearest.firstIndex { squared < $0.distance } ?? nearest.count
                nearest.insert((squared, j), at: position)
                if nearest.count > k { nearest.removeLast() }
            }
            scores[i] = Double(nearest.filter { generated[$0.index] }.count) / Double(max(1, nearest.count))
        }
        return areaUnderCurve(scores: scores, positives: generated)
    }

    /// The ROC AUC as the Mann–Whitney statistic with ties at their average rank (what
    /// `sklearn.metrics.roc_auc_score` computes).
    public static func areaUnderCurve(scores: [Double], positives: [Bool]) -> Double {
        let ranks = Correlation.ranks(scores)
        let positiveCount = positives.filter { $0 }.count, negativeCount = positives.count - positiveCount
        let rankSum = zip(ranks, positives).filter { $0.1 }.reduce(0) { $0 + $1.0 }
        let u = rankSum - Double(positiveCount * (positiveCount + 1)) / 2
        return u / Double(positiveCount * negativeCount)
    }
}
