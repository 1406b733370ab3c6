/// A block of cells in compressed sparse row form: row r's genes are
/// `indices[pointers[r]..<pointers[r + 1]]`, ascending as anndata writes them, with their
/// `values`. Streaming prepares cells in this form, so that a pass over a million cells of
/// 30,000 genes touches their non-zero values only.
public struct SparseRows: Equatable, Sendable {
    public let rows: Int
    public let genes: Int
    public var pointers: [Int]
    public var indices: [Int32]
    public var values: [Float]

    public init(rows: Int, genes: Int, pointers: [Int], indices: [Int32], values: [Float]) {
        precondition(pointers.count == rows + 1 && indices.count == values.count && pointers.last == values.count,
                     "SparseRows: \(pointers.count) pointers and \(values.count) values for \(rows) rows")
        (self.rows, self.genes, self.pointers, self.indices, self.values) = (rows, genes, pointers, indices, values)
    }

    /// The non-zero values of a dense matrix, row by row.
    public init(_ m: CellMatrix) {
        var (pointers, indices, values) = ([0], [Int32](), [Float]())
        for c in 0..<m.cells {
            for j in 0..<m.genes where m.values[c * m.genes + j] != 0 {
                indices.append(Int32(j))
                values.append(m.values[c * m.genes + j])
            }
            pointers.append(values.count)
        }
        self.init(rows: m.cells, genes: m.genes, pointers: pointers, indices: indices, values: values)
    }

    /// The rows `picked` (indices into this block), in that order.
    public func rows(_ picked: [Int]) -> SparseRows {
        var (pointers, indices, values) = ([0], [Int32](), [Float]())
        for r in picked {
            let range = self.pointers[r]..<self.pointers[r + 1]
            indices += self.indices[range]
            values += self.values[range]
            pointers.append(values.count)
        }
        return SparseRows(rows: picked.count, genes: genes, pointers: pointers, indices: indices, values: values)
    }

    /// The block as a dense matrix.
    public func densified() -> CellMatrix {
        var dense = [Float](repeating: 0, count: rows * genes)
        for r in 0..<rows {
            for k in pointers[r]..<pointers[r + 1] { dense[r * genes + Int(indices[k])] = values[k] }
        }
        return CellMatrix(cells: rows, genes: genes, values: dense)
    }
}
