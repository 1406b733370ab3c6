/// What `wbdit info` says of a matrix's values — how many are zero, their finite range,
/// whether they are whole numbers, how many are not finite — gathered a block at a time:
/// rows of a dense matrix, the stored values of a sparse one (whose other entries are
/// zeros). A file larger than memory is described in bounded memory.
public struct MatrixValueSummary: Equatable, Sendable {
    /// Entries in the matrix, stored or not.
    public private(set) var entries = 0
    public private(set) var zeros = 0
    public private(set) var notFinite = 0
    /// The smallest and largest finite value (0 … 0 when there is none).
    public var low: Float { finiteSeen ? lowest : 0 }
    public var high: Float { finiteSeen ? highest : 0 }
    /// Whether every finite value is a whole number.
    public private(set) var integral = true
    private var lowest = Float.infinity, highest = -Float.infinity
    private var finiteSeen = false

    public init() {}

    /// Adds stored values.
    public mutating func add(_ values: UnsafeBufferPointer<Float>) {
        entries += values.count
        for v in values {
            if v == 0 { zeros += 1 }
            guard v.isFinite else { notFinite += 1; continue }   // a NaN would hide from min and max
            include(v)
            integral = integral && v == v.rounded()
        }
    }

    /// Adds the zeros a sparse matrix does not store.
    public mutating func addZeros(_ count: Int) {
        guard count > 0 else { return }
        (entries, zeros) = (entries + count, zeros + count)
        include(0)
    }

    private mutating func include(_ v: Float) {
        (lowest, highest, finiteSeen) = (min(lowest, v), max(highest, v), true)
    }
}

extension AnnDataFile {
    /// The summary of `source`'s values, read `blockValues` floats at a time.
    public func valueSummary(of source: String, blockValues: Int = 1 << 22) throws -> MatrixValueSummary {
        let (cells, genes) = try shape(of: source)
        var summary = MatrixValueSummary()
        guard cells > 0, genes > 0 else { return summary }
        switch try encoding(of: source) {
        case .dense:
            let rowsPerBlock = max(1, blockValues / max(1, genes))
            var block = [Float](repeating: 0, count: min(cells, rowsPerBlock) * genes)
            for start in stride(from: 0, to: cells, by: rowsPerBlock) {
                let rows = start..<min(cells, start + rowsPerBlock)
                try block.withUnsafeMutableBufferPointer { buffer in
                    try file.readRows(source, rows: rows, columns: genes, into: buffer.baseAddress!)
                    summary.add(UnsafeBufferPointer(rebasing: buffer[0..<(rows.count * genes)]))
                }
            }
        case .csr, .csc:
            let stored = try file.shape(source + "/data").first ?? 0
            guard stored <= cells * genes else {
                throw HDF5Error("\(path): \(source) stores \(stored) values, more than its \(cells) × \(genes) entries")
            }
            let blockLength = max(1, blockValues)
            var block = [Float](repeating: 0, count: min(stored, blockLength))
            for start in stride(from: 0, to: stored, by: blockLength) {
                let range = start..<min(stored, start + blockLength)
                try block.withUnsafeMutableBufferPointer { buffer in
                    try file.readFloats(source + "/data", elements: range, into: buffer.baseAddress!)
                    summary.add(UnsafeBufferPointer(rebasing: buffer[0..<range.count]))
                }
            }
            summary.addZeros(cells * genes - stored)
        }
        return summary
    }
}
