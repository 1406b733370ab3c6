/// Reading a block of consecutive cells (rows) of an AnnData matrix without reading the
/// rest: a hyperslab of a dense `X`, or of a CSR matrix's `indptr`, `data` and `indices`.
/// This is what lets a file larger than memory be streamed.
extension AnnDataFile {
    /// Whether rows of `source` can be read a block at a time (dense or CSR; a CSC matrix
    /// stores genes, not cells, contiguously).
    public func streamsRows(_ source: String = "X") throws -> Bool { try encoding(of: source) != .csc }

    /// Rows `range` of `source` as a dense cells × genes matrix.
    public func rows(_ range: Range<Int>, of source: String = "X") throws -> CellMatrix {
        let (cells, genes) = try shape(of: source)
        guard range.lowerBound >= 0, range.upperBound <= cells else {
            throw HDF5Error("\(path): rows \(range) are outside \(source)'s \(cells) cells")
        }
        var values = [Float](repeating: 0, count: range.count * genes)
        switch try encoding(of: source) {
        case .dense:
            try values.withUnsafeMutableBufferPointer {
                try file.readRows(source, rows: range, columns: genes, into: $0.baseAddress!)
            }
        case .csr:
            var pointers = [Int64](repeating: 0, count: range.count + 1)
            try pointers.withUnsafeMutableBufferPointer {
                try file.readIntegers(source + "/indptr", elements: range.lowerBound..<(range.upperBound + 1), into: $0.baseAddress!)
            }
            let (first, last) = (Int(pointers[0]), Int(pointers[range.count]))
            guard first >= 0, first <= last else {
                throw HDF5Error("\(path): \(source)/indptr is not increasing between rows \(range.lowerBound) and \(range.upperBound)")
            }
            var data = [Float](repeating: 0, count: last - first)
            var indices = [Int64](repeating: 0, count: last - first)
            try data.withUnsafeMutableBufferPointer { try file.readFloats(source + "/data", elements: first..<last, into: $0.baseAddress!) }
            try indices.withUnsafeMutableBufferPointer { try file.readIntegers(source + "/indices", elements: first..<last, into: $0.baseAddress!) }
            try scatter(source, pointers: pointers.map { $0 - Int64(first) }, indices: indices, data: data, minor: genes,
                        firstRow: range.lowerBound) { row, column, value in values[row * genes + column] = value }
        case .csc:
            throw HDF5Error("\(path): \(source) is stored by gene (csc_matrix), so it cannot be streamed by cell; load it whole (--in-memory) or write it as csr_matrix")
        }
        return CellMatrix(cells: range.count, genes: genes, values: values)
    }

    /// Checks a compressed sparse slice — `pointers` (from 0) into `indices` and `data` —
    /// and hands each entry to `place(major, minor, value)`: row and gene for CSR, gene and
    /// row for CSC. `firstRow` numbers the rows in messages.
    func scatter(_ source: String, pointers: [Int64], indices: [Int64], data: [Float], minor: Int, firstRow: Int,
                 place: (Int, Int, Float) -> Void) throws {
        for major in 0..<(pointers.count - 1) {
            let (start, end) = (Int(pointers[major]), Int(pointers[major + 1]))
            guard start >= 0, start <= end, end <= data.count else {
                throw HDF5Error("\(path): \(source)/indptr is not increasing at row \(firstRow + major)")
            }
            for k in start..<end {
                let index = Int(indices[k])
                guard index >= 0 && index < minor else {
                    throw HDF5Error("\(path): \(source)/indices holds \(index), outside 0…\(minor - 1)")
                }
                place(major, index, data[k])
            }
        }
    }
}
