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
        switch try encoding(of: source) {
        case .dense:
            var values = [Float](repeating: 0, count: range.count * genes)
            try values.withUnsafeMutableBufferPointer {
                try file.readRows(source, rows: range, columns: genes, into: $0.baseAddress!)
            }
            return CellMatrix(cells: range.count, genes: genes, values: values)
        case .csr:
            return try sparseRows(range, of: source).densified()
        case .csc:
            throw HDF5Error("\(path): \(source) is stored by gene (csc_matrix), so it cannot be streamed by cell; load it whole (--in-memory) or write it as csr_matrix")
        }
    }

    /// Rows `range` of `source` with their non-zero values only, each row's genes ascending
    /// (a row stored out of order is sorted; a gene stored twice holds the sum, as scipy
    /// reads it). A dense `X` is read and compressed.
    public func sparseRows(_ range: Range<Int>, of source: String = "X") throws -> SparseRows {
        guard try encoding(of: source) == .csr else { return SparseRows(try rows(range, of: source)) }
        let (cells, genes) = try shape(of: source)
        guard range.lowerBound >= 0, range.upperBound <= cells else {
            throw HDF5Error("\(path): rows \(range) are outside \(source)'s \(cells) cells")
        }
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
        var rowPointers = [0], columns = [Int32](), values = [Float]()
        columns.reserveCapacity(data.count)
        values.reserveCapacity(data.count)
        var row: [(gene: Int32, value: Float)] = []
        try scatter(source, pointers: pointers.map { $0 - Int64(first) }, indices: indices, data: data, minor: genes,
                    firstRow: range.lowerBound) { r, gene, value in
            while rowPointers.count <= r { Self.append(&row, to: &columns, &values); rowPointers.append(values.count) }
            row.append((Int32(gene), value))
        }
        while rowPointers.count <= range.count { Self.append(&row, to: &columns, &values); rowPointers.append(values.count) }
        return SparseRows(rows: range.count, genes: genes, pointers: rowPointers, indices: columns, values: values)
    }

    /// Appends one row's entries in gene order (a gene stored twice once, with the sum of its
    /// values, added in the order stored as the dense read adds them) and empties it.
    private static func append(_ row: inout [(gene: Int32, value: Float)], to columns: inout [Int32], _ values: inout [Float]) {
        defer { row.removeAll(keepingCapacity: true) }
        if zip(row, row.dropFirst()).allSatisfy({ $0.gene < $1.gene }) {
            for entry in row {
                columns.append(entry.gene)
                values.append(entry.value)
            }
            return
        }
        var sums: [Int32: Float] = [:]
        for entry in row { sums[entry.gene, default: 0] += entry.value }
        for gene in sums.keys.sorted() {
            columns.append(gene)
            values.append(sums[gene]!)
        }
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
