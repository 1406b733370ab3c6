/// Per-gene sums of a value and of its square, in Double, added cell by cell in row order.
/// A matrix read whole and the same matrix streamed block by block give the same sums,
/// bit for bit, so streamed preprocessing chooses exactly the genes in-memory would.
public struct GeneSums: Sendable {
    public private(set) var sum: [Double]
    public private(set) var squares: [Double]
    public private(set) var cells = 0

    public init(genes: Int) {
        sum = [Double](repeating: 0, count: genes)
        squares = [Double](repeating: 0, count: genes)
    }

    public var genes: Int { sum.count }

    /// Adds every cell of `m`, each value mapped by `transform(value, gene)`.
    public mutating func add(_ m: CellMatrix, _ transform: (Float, Int) -> Double) {
        precondition(m.genes == genes, "GeneSums: \(m.genes) genes for \(genes)")
        let g = genes
        m.values.withUnsafeBufferPointer { v in
            sum.withUnsafeMutableBufferPointer { s in
                squares.withUnsafeMutableBufferPointer { q in
                    for c in 0..<m.cells {
                        for j in 0..<g {
                            let x = transform(v[c * g + j], j)
                            s[j] += x
                            q[j] += x * x
                        }
                    }
                }
            }
        }
        cells += m.cells
    }

    /// Adds every row of `block`, each non-zero value mapped by `transform(value, gene)`:
    /// the dense `add`'s sums, bit for bit, for a `transform` that keeps 0 at 0.
    public mutating func add(_ block: SparseRows, _ transform: (Float, Int) -> Double) {
        precondition(block.genes == genes, "GeneSums: \(block.genes) genes for \(genes)")
        for (j, value) in zip(block.indices, block.values) {
            let x = transform(value, Int(j))
            sum[Int(j)] += x
            squares[Int(j)] += x * x
        }
        cells += block.rows
    }

    /// Per gene, the mean and the sample variance (ddof 1).
    public func moments() -> (mean: [Double], variance: [Double]) {
        let n = Double(cells)
        let mean = sum.map { $0 / n }
        let variance = (0..<genes).map { (squares[$0] - n * mean[$0] * mean[$0]) / Double(max(1, cells - 1)) }
        return (mean, variance)
    }
}
