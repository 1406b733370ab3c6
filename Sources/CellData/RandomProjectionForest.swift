import Kernels

/// Approximate k nearest neighbours of every point among the others, for maps of a million
/// cells where the exact search costs the square of the points. A forest of random
/// projection trees proposes each point's leaf-mates: a node is split by the hyperplane
/// halfway between two of its points picked at random (Annoy's split), down to leaves of
/// `leafSize` points, in which every pair is measured (one sgemm a leaf). One round of
/// neighbours' neighbours then refines each list (NN-descent's local join): a point's
/// near neighbours' near neighbours are measured too. Each tree's leaves, and the
/// refinement's points, are spread over the engine's threads with `parallel`.
public struct RandomProjectionForest {
    public let trees: Int
    public let leafSize: Int
    /// How many of a point's nearest neighbours, and of theirs, the refinement measures.
    public let joined: Int
    public let seed: UInt64

    public init(trees: Int = 8, leafSize: Int = 256, joined: Int = 15, seed: UInt64 = 0) {
        precondition(trees >= 1 && leafSize >= 2 && joined >= 0, "RandomProjectionForest: a forest needs trees, leaves of two points")
        (self.trees, self.leafSize, self.joined, self.seed) = (trees, leafSize, joined, seed)
    }

    /// Each point's `k` nearest other points (as `NearestNeighbours(of:in:k:excludingSelf:)`
    /// returns them, nearest first), as far as the forest finds them.
    public func neighbours(of points: CellMatrix, k requested: Int, parallel: Bool = false) -> NearestNeighbours {
        let (n, d) = (points.cells, points.genes)
        let k = max(0, min(requested, n - 1))
        guard k > 0 else { return NearestNeighbours(indices: [], squaredDistances: [], k: 0) }
        let lists = CandidateLists(points: n, k: k)
        let norms = NearestNeighbours.squaredNorms(points)
        let leafSize = max(self.leafSize, k + 1)
        let run = { (count: Int, body: (Range<Int>) -> Void) in if parallel { Parallel.split(count, body) } else { body(0..<count) } }
        points.values.withUnsafeBufferPointer { x in
            let x = x.baseAddress!
            for tree in 0..<trees {
                let leaves = Self.leaves(x, n: n, d: d, leafSize: leafSize, seed: seed &+ UInt64(tree))
                run(leaves.count) { range in
                    let block = FloatBuffer(count: leafSize * d), gram = FloatBuffer(count: leafSize * leafSize)
                    for leaf in range { Self.measure(leaves[leaf], x, d: d, norms: norms, block: block, gram: gram, into: lists) }
                }
            }
            guard joined > 0 else { return }
            let near = min(joined, k)
            let snapshot = lists.nearest(near)   // as the round starts: each point writes only its own list
            run(n) { range in
                for i in range {
                    for a in 0..<near {
                        let j = Int(snapshot[i * near + a])
                        guard j >= 0 else { continue }
                        for b in 0..<near {
                            let l = Int(snapshot[j * near + b])
                            guard l >= 0, l != i else { continue }
                            let squared = max(0, norms[i] + norms[l] - 2 * VectorMath.dot(x + i * d, x + l * d, count: d))
                            lists.offer(Int32(l), squared, to: i)
                        }
                    }
                }
            }
        }
        let (indices, distances) = lists.sorted()
        return NearestNeighbours(indices: indices, squaredDistances: distances, k: k)
    }

    /// One tree's leaves: the points split by random hyperplanes until at most `leafSize` remain.
    static func leaves(_ x: UnsafePointer<Float>, n: Int, d: Int, leafSize: Int, seed: UInt64) -> [[Int32]] {
        var generator = SeededGenerator(seed: seed &+ 0x7EE5_0000)
        var order = (0..<n).map(Int32.init)
        var leaves: [[Int32]] = [], pending = [0..<n]
        var normal = [Float](repeating: 0, count: d)
        while let node = pending.popLast() {
            guard node.count > leafSize else { leaves.append(Array(order[node])); continue }
            // Two distinct positions in the node.
            let first = Int(generator.next() % UInt64(node.count))
            let second = (first + 1 + Int(generator.next() % UInt64(node.count - 1))) % node.count
            let (a, b) = (Int(order[node.lowerBound + first]), Int(order[node.lowerBound + second]))
            var offset: Float = 0
            for c in 0..<d {
                normal[c] = x[a * d + c] - x[b * d + c]
                offset += normal[c] * (x[a * d + c] + x[b * d + c]) / 2
            }
            // Points on the normal's side first.
            var split = node.lowerBound
            for p in node where normal.withUnsafeBufferPointer({ VectorMath.dot($0.baseAddress!, x + Int(order[p]) * d, count: d) }) > offset {
                order.swapAt(split, p)
                split += 1
            }
            // Points that coincide along every hyperplane tried would never part: halve them.
            if split == node.lowerBound || split == node.upperBound {
                for p in node.dropLast() { order.swapAt(p, p + Int(generator.next() % UInt64(node.upperBound - p))) }
                split = node.lowerBound + node.count / 2
            }
            pending += [node.lowerBound..<split, split..<node.upperBound]
        }
        return leaves
    }

    /// Measures every pair of a leaf's points (their rows gathered, one sgemm) and offers each
    /// to the other's list.
    private static func measure(_ leaf: [Int32], _ x: UnsafePointer<Float>, d: Int, norms: [Float], block: FloatBuffer,
                                gram: FloatBuffer, into lists: CandidateLists) {
        let m = leaf.count
        for (r, p) in leaf.enumerated() { (block.pointer + r * d).update(from: x + Int(p) * d, count: d) }
        Matmul.gemmOnCurrentThread(.none, .transposed, m: m, n: m, k: d, a: block.constPointer, lda: d,
                                   b: block.constPointer, ldb: d, c: gram.pointer, ldc: m)
        for r in 0..<m {
            let i = Int(leaf[r])
            for s in (r + 1)..<m {
                let j = Int(leaf[s])
                let squared = max(0, norms[i] + norms[j] - 2 * gram[r * m + s])
                lists.offer(Int32(j), squared, to: i)
                lists.offer(Int32(i), squared, to: j)
            }
        }
    }
}

/// Every point's k best candidates so far, a max-heap each (the farthest on top), in flat
/// arrays. A point's list is written only by whoever handles that point.
private final class CandidateLists: @unchecked Sendable {
    let k: Int
    private let distance: UnsafeMutablePointer<Float>
    private let index: UnsafeMutablePointer<Int32>
    private let count: Int

    init(points: Int, k: Int) {
        (self.k, count) = (k, points * k)
        distance = .allocate(capacity: count)
        distance.initialize(repeating: .infinity, count: count)
        index = .allocate(capacity: count)
        index.initialize(repeating: -1, count: count)
    }

    deinit { distance.deallocate(); index.deallocate() }

    /// Keeps `j` among point `i`'s candidates if it is nearer than the farthest and not there yet.
    @inline(__always)
    func offer(_ j: Int32, _ squared: Float, to i: Int) {
        let (d, x) = (distance + i * k, index + i * k)
        guard squared < d[0] || (squared == d[0] && j < x[0]) else { return }
        for slot in 0..<k where x[slot] == j { return }
        // Replace the top and sift it down.
        var at = 0
        while true {
            let left = 2 * at + 1
            guard left < k else { break }
            var child = left
            if left + 1 < k && Self.farther(d[left + 1], x[left + 1], than: d[left], x[left]) { child = left + 1 }
            guard Self.farther(d[child], x[child], than: squared, j) else { break }
            (d[at], x[at]) = (d[child], x[child])
            at = child
        }
        (d[at], x[at]) = (squared, j)
    }

    /// Ordered as the exact search orders neighbours: by distance, then by index.
    @inline(__always)
    private static func farther(_ a: Float, _ i: Int32, than b: Float, _ j: Int32) -> Bool { a > b || (a == b && i > j) }

    /// Each point's `m` nearest candidates (−1 where it has fewer), nearest first.
    func nearest(_ m: Int) -> [Int32] {
        let (indices, _) = sorted()
        return (0..<(count / k)).flatMap { i in indices[(i * k)..<(i * k + m)] }
    }

    /// Every list, nearest first.
    func sorted() -> (indices: [Int32], distances: [Float]) {
        var indices = [Int32](repeating: -1, count: count), distances = [Float](repeating: .infinity, count: count)
        var slots = [Int](repeating: 0, count: k)
        for i in 0..<(count / k) {
            let (d, x) = (distance + i * k, index + i * k)
            for slot in 0..<k { slots[slot] = slot }
            slots.sort { Self.farther(d[$1], x[$1], than: d[$0], x[$0]) }
            for (rank, slot) in slots.enumerated() { (distances[i * k + rank], indices[i * k + rank]) = (d[slot], x[slot]) }
        }
        return (indices, distances)
    }
}
