import Foundation

/// scanpy-compatible preprocessing of a cells × genes matrix.
public enum Preprocessing {
    /// Whether every value is a non-negative whole number: raw counts.
    public static func isCounts(_ m: CellMatrix) -> Bool {
        m.values.allSatisfy { $0 >= 0 && $0 == $0.rounded() }
    }

    /// `sc.pp.normalize_total(target_sum=target)`: each cell scaled so its values sum to
    /// `target` (cells that sum to 0 are left at 0). Sums are taken in Double.
    public static func normalizeTotal(_ m: inout CellMatrix, target: Double = 1e4) {
        let g = m.genes
        m.values.withUnsafeMutableBufferPointer { v in
            for c in 0..<m.cells {
                let row = v.baseAddress! + c * g
                var total = 0.0
                for j in 0..<g { total += Double(row[j]) }
                guard total > 0 else { continue }
                let scale = Float(target / total)
                for j in 0..<g { row[j] *= scale }
            }
        }
    }

    /// `sc.pp.log1p`: x ← ln(1 + x).
    public static func log1p(_ m: inout CellMatrix) {
        for i in m.values.indices { m.values[i] = Foundation.log1p(m.values[i]) }
    }

    /// `sc.pp.highly_variable_genes(flavor="seurat", n_top_genes:)` on log-normalised data:
    /// per gene, the mean and dispersion (variance / mean, ddof 1) of expm1(x); log of both;
    /// genes put in 20 equal-width bins of log mean; the dispersion z-scored within its bin;
    /// the `count` genes with the highest normalised dispersion. Returns their indices in
    /// gene order.
    public static func highlyVariableGenes(_ m: CellMatrix, count: Int, bins binCount: Int = 20) -> [Int] {
        let (n, g) = (m.cells, m.genes)
        var mean = [Double](repeating: 0, count: g), squares = [Double](repeating: 0, count: g)
        m.values.withUnsafeBufferPointer { v in
            for c in 0..<n {
                for j in 0..<g {
                    let x = Double(Foundation.expm1(v[c * g + j]))
                    mean[j] += x
                    squares[j] += x * x
                }
            }
        }
        var logMean = [Double](repeating: 0, count: g), dispersion = [Double](repeating: .nan, count: g)
        for j in 0..<g {
            var mu = mean[j] / Double(n)
            let variance = (squares[j] - Double(n) * mu * mu) / Double(max(1, n - 1))
            if mu == 0 { mu = 1e-12 }
            let d = variance / mu
            dispersion[j] = d == 0 ? .nan : log(d)
            logMean[j] = Foundation.log1p(mu)
        }
        // pandas.cut(logMean, bins): equal widths, the lowest edge lowered by 0.1% of the range.
        let (low, high) = (logMean.min() ?? 0, logMean.max() ?? 0)
        var edges = (0...binCount).map { low + (high - low) * Double($0) / Double(binCount) }
        edges[0] -= (high - low) * 0.001
        let bin = logMean.map { x -> Int in
            max(0, min(binCount - 1, (edges.firstIndex { x <= $0 } ?? binCount) - 1))
        }
        var binMean = [Double](repeating: 0, count: binCount), binStd = [Double](repeating: .nan, count: binCount)
        for b in 0..<binCount {
            let members = (0..<g).filter { bin[$0] == b && !dispersion[$0].isNaN }.map { dispersion[$0] }
            guard !members.isEmpty else { binMean[b] = .nan; continue }
            let mu = members.reduce(0, +) / Double(members.count)
            binMean[b] = mu
            if members.count > 1 {
                binStd[b] = (members.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / Double(members.count - 1)).squareRoot()
            }
        }
        // scanpy: a bin whose std is undefined (one gene) gets std = its mean and mean = 0,
        // so that gene's normalised dispersion is 1.
        for b in 0..<binCount where binStd[b].isNaN {
            binStd[b] = binMean[b]
            binMean[b] = 0
        }
        let normalized = (0..<g).map { (dispersion[$0] - binMean[bin[$0]]) / binStd[bin[$0]] }
        let ranked = normalized.filter { !$0.isNaN }.sorted(by: >)
        guard !ranked.isEmpty else { return [] }
        let cutoff = ranked[min(count, ranked.count) - 1]
        return (0..<g).filter { (normalized[$0].isNaN ? 0 : normalized[$0]) >= cutoff }
    }

    /// `sc.pp.filter_cells(min_genes=minimum)`: the cells (rows) with at least `minimum`
    /// non-zero genes.
    public static func cells(_ m: CellMatrix, expressingAtLeast minimum: Int) -> [Int] {
        (0..<m.cells).filter { c in
            var expressed = 0
            for j in 0..<m.genes where m.values[c * m.genes + j] != 0 { expressed += 1 }
            return expressed >= minimum
        }
    }

    /// `sc.pp.filter_genes(min_cells=minimum)`: the genes (columns) non-zero in at least
    /// `minimum` cells.
    public static func genes(_ m: CellMatrix, expressedInAtLeast minimum: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: m.genes)
        for c in 0..<m.cells { for j in 0..<m.genes where m.values[c * m.genes + j] != 0 { counts[j] += 1 } }
        return (0..<m.genes).filter { counts[$0] >= minimum }
    }

    /// Divides every gene (column) by its largest value, so non-negative data lies in [0, 1];
    /// returns the divisors (1 for a gene that is 0 everywhere).
    @discardableResult
    public static func scaleToUnit(_ m: inout CellMatrix) -> [Float] {
        var maximum = [Float](repeating: 0, count: m.genes)
        for c in 0..<m.cells { for j in 0..<m.genes { maximum[j] = max(maximum[j], m.values[c * m.genes + j]) } }
        let scale = maximum.map { $0 > 0 ? $0 : 1 }
        for c in 0..<m.cells { for j in 0..<m.genes { m.values[c * m.genes + j] /= scale[j] } }
        return scale
    }

    /// Multiplies every gene back by its divisor: the inverse of `scaleToUnit`.
    public static func unscale(_ values: inout [Float], genes: Int, scale: [Float]) {
        for i in values.indices { values[i] *= scale[i % genes] }
    }

    /// The columns `genes` of a matrix, in that order.
    public static func selectGenes(_ m: CellMatrix, _ genes: [Int]) -> CellMatrix {
        var values = [Float](repeating: 0, count: m.cells * genes.count)
        for c in 0..<m.cells {
            for (k, j) in genes.enumerated() { values[c * genes.count + k] = m.values[c * m.genes + j] }
        }
        return CellMatrix(cells: m.cells, genes: genes.count, values: values)
    }
}
