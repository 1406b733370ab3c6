import Kernels

/// Exact k-nearest-neighbour search in Euclidean space: squared distances come from one
/// sgemm per block of queries (|q|² + |r|² − 2 q·r), and each query keeps its k closest
/// reference points, ties broken by the lower index. Runs on the calling thread only, so
/// it is safe beside a running trainer.
public struct NearestNeighbours: Sendable {
    /// [queries, k] reference indices, nearest first.
    public let indices: [Int32]
    /// [queries, k] squared Euclidean distances, ascending.
    public let squaredDistances: [Float]
    public let k: Int

    public var queries: Int { k == 0 ? 0 : indices.count / k }

    /// The k nearest points of `reference` to each point of `queries`. With `excludingSelf`
    /// the two sets are the same points and a point is not its own neighbour.
    public init(of queries: CellMatrix, in reference: CellMatrix, k: Int, excludingSelf: Bool = false) {
        precondition(queries.genes == reference.genes, "NearestNeighbours: \(queries.genes) and \(reference.genes) dimensions")
        let (n, m, d) = (queries.cells, reference.cells, queries.genes)
        let k = min(k, m - (excludingSelf ? 1 : 0))
        self.k = max(0, k)
        var indices = [Int32](repeating: 0, count: n * self.k)
        var distances = [Float](repeating: 0, count: n * self.k)
        guard k > 0 else { self.indices = indices; squaredDistances = distances; return }

        let referenceNorms = Self.squaredNorms(reference)
        let queryNorms = Self.squaredNorms(queries)
        let block = max(1, min(n, (1 << 22) / max(1, m)))
        let gram = FloatBuffer(count: block * m)
        var nearest = [(distance: Float, index: Int32)]()
        nearest.reserveCapacity(k + 1)
        queries.values.withUnsafeBufferPointer { q in
            reference.values.withUnsafeBufferPointer { r in
                var start = 0
                while start < n {
                    let rows = min(block, n - start)
                    Matmul.gemmOnCurrentThread(.none, .transposed, m: rows, n: m, k: d, a: q.baseAddress! + start * d,
                                               lda: d, b: r.baseAddress!, ldb: d, c: gram.pointer, ldc: m)
                    for row in 0..<rows {
                        let i = start + row
                        nearest.removeAll(keepingCapacity: true)
                        for j in 0..<m where !(excludingSelf && j == i) {
                            let squared = max(0, queryNorms[i] + referenceNorms[j] - 2 * gram[row * m + j])
                            guard nearest.count < k || squared < nearest[k - 1].distance else { continue }
                            var position = nearest.count
                            while position > 0 && squared < nearest[position - 1].distance { position -= 1 }
                            nearest.insert((squared, Int32(j)), at: position)
                            if nearest.count > k { nearest.removeLast() }
                        }
                        for (slot, entry) in nearest.enumerated() {
                            indices[i * k + slot] = entry.index
                            distances[i * k + slot] = entry.distance
                        }
                    }
                    start += rows
                }
            }
        }
        self.indices = indices
        squaredDistances = distances
    }

    /// Neighbours found another way (`RandomProjectionForest`).
    init(indices: [Int32], squaredDistances: [Float], k: Int) {
        (self.indices, self.squaredDistances, self.k) = (indices, squaredDistances, k)
    }

    static func squaredNorms(_ m: CellMatrix) -> [Float] {
        m.values.withUnsafeBufferPointer { v in
            (0..<m.cells).map { VectorMath.dot(v.baseAddress! + $0 * m.genes, v.baseAddress! + $0 * m.genes, count: m.genes) }
        }
    }
}
