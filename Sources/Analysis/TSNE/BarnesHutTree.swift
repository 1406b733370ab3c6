/// A quadtree over 2-D points for the Barnes–Hut approximation of t-SNE's repulsive
/// forces: a cell far enough from a point (its side over the distance to its centre of
/// mass below θ) acts as one point carrying its count. Nodes live in flat arrays.
struct BarnesHutTree {
    private var centreX: [Double] = [], centreY: [Double] = [], halfSide: [Double] = []
    private var count: [Double] = [], massX: [Double] = [], massY: [Double] = []
    /// The first of four consecutive children, or -1 for a leaf.
    private var firstChild: [Int] = []
    /// A leaf's point, -1 when empty.
    private var point: [Int] = []
    private static let maximumDepth = 48

    /// Builds the tree over `positions` ([n, 2] interleaved x, y).
    init(positions: UnsafePointer<Double>, count n: Int) {
        var (minX, maxX, minY, maxY) = (Double.infinity, -Double.infinity, Double.infinity, -Double.infinity)
        for i in 0..<n {
            minX = min(minX, positions[2 * i]); maxX = max(maxX, positions[2 * i])
            minY = min(minY, positions[2 * i + 1]); maxY = max(maxY, positions[2 * i + 1])
        }
        let half = max(maxX - minX, maxY - minY, 1e-12) / 2 * (1 + 1e-9)
        reserve(4 * n + 1)
        addNode(x: (minX + maxX) / 2, y: (minY + maxY) / 2, half: half)
        for i in 0..<n { insert(i, x: positions[2 * i], y: positions[2 * i + 1]) }
    }

    private mutating func reserve(_ n: Int) {
        centreX.reserveCapacity(n); centreY.reserveCapacity(n); halfSide.reserveCapacity(n)
        count.reserveCapacity(n); massX.reserveCapacity(n); massY.reserveCapacity(n)
        firstChild.reserveCapacity(n); point.reserveCapacity(n)
    }

    private mutating func addNode(x: Double, y: Double, half: Double) {
        centreX.append(x); centreY.append(y); halfSide.append(half)
        count.append(0); massX.append(0); massY.append(0)
        firstChild.append(-1); point.append(-1)
    }

    private func quadrant(_ node: Int, _ x: Double, _ y: Double) -> Int {
        firstChild[node] + (x >= centreX[node] ? 1 : 0) + (y >= centreY[node] ? 2 : 0)
    }

    private mutating func addMass(_ node: Int, _ x: Double, _ y: Double, _ weight: Double = 1) {
        let total = count[node] + weight
        massX[node] += (x - massX[node]) * weight / total
        massY[node] += (y - massY[node]) * weight / total
        count[node] = total
    }

    private mutating func insert(_ i: Int, x: Double, y: Double) {
        var node = 0, depth = 0
        while true {
            if firstChild[node] < 0 {
                if count[node] == 0 { point[node] = i; addMass(node, x, y); return }
                // An occupied leaf: split it, unless the points coincide or the tree is deep
                // enough, in which case the leaf simply carries both.
                let (ox, oy) = (massX[node], massY[node])
                if depth >= Self.maximumDepth || (ox == x && oy == y) { point[node] = -2; addMass(node, x, y); return }
                let h = halfSide[node] / 2
                firstChild[node] = centreX.count
                for q in 0..<4 {
                    addNode(x: centreX[node] + (q & 1 == 0 ? -h : h), y: centreY[node] + (q & 2 == 0 ? -h : h), half: h)
                }
                let child = quadrant(node, ox, oy)
                point[child] = point[node]
                addMass(child, ox, oy, count[node])
                point[node] = -1
            }
            addMass(node, x, y)
            node = quadrant(node, x, y)
            depth += 1
        }
    }

    /// The repulsion on a point at (x, y), skipping the leaf that holds point `own` alone:
    /// adds Σ_j w_ij² (y_i − y_j) to `force` and returns Σ_j w_ij, w = 1 / (1 + d²).
    /// `stack` is scratch space, reused across calls.
    func repulsion(x: Double, y: Double, own: Int, theta: Double, force: inout (Double, Double),
                   stack: inout [Int]) -> Double {
        var z = 0.0
        stack.removeAll(keepingCapacity: true)
        stack.append(0)
        while let node = stack.popLast() {
            let c = count[node]
            if c == 0 || (firstChild[node] < 0 && point[node] == own) { continue }
            let dx = x - massX[node], dy = y - massY[node]
            let squared = dx * dx + dy * dy
            if firstChild[node] < 0 || 2 * halfSide[node] < theta * squared.squareRoot() {
                let w = 1 / (1 + squared)
                z += c * w
                force.0 += c * w * w * dx
                force.1 += c * w * w * dy
            } else {
                let first = firstChild[node]
                stack.append(first); stack.append(first + 1); stack.append(first + 2); stack.append(first + 3)
            }
        }
        return z
    }
}
