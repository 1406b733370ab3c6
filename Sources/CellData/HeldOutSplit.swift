import Kernels

/// Which cells a run trains on and which it holds back for evaluation.
public struct HeldOutSplit: Codable, Equatable, Sendable {
    /// The fraction of each label's cells held out.
    public var fraction: Double
    /// The obs column the split is stratified by, if any.
    public var stratifiedBy: String?
    public var seed: UInt64
    /// Cell indices (rows of the source file), ascending.
    public var trainCells: [Int]
    public var heldOutCells: [Int]

    /// A seeded split holding out round(fraction · n) cells of every label (of all cells
    /// when `labels` is nil), drawn by a Fisher–Yates shuffle within each label.
    public init(cells: Int, labels: [String]?, stratifiedBy: String?, fraction: Double, seed: UInt64) {
        precondition(labels == nil || labels!.count == cells, "HeldOutSplit: one label per cell")
        self.fraction = fraction
        self.stratifiedBy = stratifiedBy
        self.seed = seed
        var groups: [String: [Int]] = [:]
        for cell in 0..<cells { groups[labels?[cell] ?? "", default: []].append(cell) }
        var generator = SeededGenerator(seed: seed &+ 0x5EED)
        var heldOut: [Int] = []
        for label in groups.keys.sorted() {
            var members = groups[label]!
            generator.shuffle(&members)
            heldOut += members.prefix(Int((fraction * Double(members.count)).rounded()))
        }
        heldOutCells = heldOut.sorted()
        let held = Set(heldOut)
        trainCells = (0..<cells).filter { !held.contains($0) }
    }

    /// `count` training cells drawn at random (all of them when there are no more), ascending;
    /// `salt` picks the draw, which otherwise depends only on the split.
    public func trainingSample(_ count: Int, salt: UInt64) -> [Int] { Self.sample(trainCells, count, seed: seed &+ salt) }

    /// `count` held-out cells drawn the same way (all of them when there are no more).
    public func heldOutSample(_ count: Int, salt: UInt64) -> [Int] { Self.sample(heldOutCells, count, seed: seed &+ salt) }

    /// `count` of `cells` drawn at random by a partial Fisher–Yates shuffle, ascending.
    private static func sample(_ cells: [Int], _ count: Int, seed: UInt64) -> [Int] {
        guard cells.count > count else { return cells }
        var cells = cells
        var generator = SeededGenerator(seed: seed)
        for i in 0..<count { cells.swapAt(i, i + Int(generator.next() % UInt64(cells.count - i))) }
        return cells.prefix(count).sorted()
    }

    /// The rows `cells` of a matrix.
    public static func rows(_ m: CellMatrix, _ cells: [Int]) -> CellMatrix {
        var values = [Float]()
        values.reserveCapacity(cells.count * m.genes)
        for c in cells { values += m.values[(c * m.genes)..<((c + 1) * m.genes)] }
        return CellMatrix(cells: cells.count, genes: m.genes, values: values)
    }
}
