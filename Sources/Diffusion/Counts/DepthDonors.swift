import CellData
import Kernels

/// The training cells a generated cell takes its sequencing depth and its complexity
/// (`CellComplexity`) from: one of the `neighbours` training cells nearest it in the count
/// model's smooth scores, drawn with weight 1 / (1 + o_d), o_d the number of training cells
/// that have cell d among their own `neighbours` nearest.
///
/// Both choices are against hubs. On components that mostly hold sampling noise, a deep
/// cell is less noisy and so nearer to every other cell: in a NumPy prototype of the model
/// on a 400-gene panel, with the leading 20 components and no weight, held-out cells put
/// through it as if a network had made them took donors 8% deeper than themselves (median
/// counts 1238 against 1144). The weight undoes what is left (a cell near many cells would
/// otherwise donate for all of them). A network's cells that sit where deep cells do still
/// take deep donors: that is the network's error, and `wbdit eval` shows it in the library
/// sizes.
struct DepthDonors {
    static let neighbours = 30
    /// Per training cell: its smooth scores (cells × components), whole library size, counts
    /// over the model's genes, the genes its smooth part detects at its depth with its factor
    /// (E_d of `CellComplexity`), that dispersion factor (φ_d) and its weight as a donor.
    let scores: CellMatrix
    let libraries: [Float], totals: [Float], detected: [Float], factors: [Float], weights: [Float]

    init(scores: CellMatrix, libraries: [Float], totals: [Float], detected: [Float], factors: [Float], weights: [Float]) {
        let n = scores.cells
        precondition([libraries, totals, detected, factors, weights].allSatisfy { $0.count == n },
                     "DepthDonors: \(n) cells, \(libraries.count) sizes, \(totals.count) totals, \(detected.count) detected, \(factors.count) factors, \(weights.count) weights")
        (self.scores, self.libraries, self.totals, self.detected, self.factors, self.weights) = (scores, libraries, totals, detected, factors, weights)
    }

    /// Donors from training cells' scores, their weights from how often each is another's neighbour.
    init(scores: CellMatrix, libraries: [Float], totals: [Float], detected: [Float], factors: [Float]) {
        var occurrences = [Float](repeating: 0, count: scores.cells)
        if scores.cells > 1 {
            let near = NearestNeighbours(of: scores, in: scores, k: min(Self.neighbours, scores.cells - 1), excludingSelf: true)
            for i in near.indices { occurrences[Int(i)] += 1 }
        }
        self.init(scores: scores, libraries: libraries, totals: totals, detected: detected, factors: factors, weights: occurrences.map { 1 / (1 + $0) })
    }

    /// For each of `queries` (cells × the same components), its candidates, nearest first.
    func candidates(_ queries: CellMatrix) -> NearestNeighbours {
        NearestNeighbours(of: queries, in: scores, k: min(Self.neighbours, scores.cells))
    }

    /// The donor of query `c` among its candidates, by one uniform draw.
    func donor(_ c: Int, among near: NearestNeighbours, _ generator: inout SeededGenerator) -> Int {
        let row = near.indices[(c * near.k)..<((c + 1) * near.k)]
        var u = generator.nextUniform() * row.reduce(Float(0)) { $0 + weights[Int($1)] }
        for d in row {
            u -= weights[Int(d)]
            if u < 0 { return Int(d) }
        }
        return Int(row[row.endIndex - 1])
    }
}
