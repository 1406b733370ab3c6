import CellData
import Kernels

/// The training cells in each epoch's order. Before a step, `prepare` makes the batch's
/// positions readable (a streamed source reads them from disk here, and may fail); inside
/// the step, `cell(at:)` hands out a cell without allocating.
protocol TrainingCells: AnyObject {
    var count: Int { get }
    var genes: Int { get }
    /// The first `cells` training cells, in file order, [cells, G] (the probe batch).
    func first(_ cells: Int) throws -> [Float]
    /// Makes positions `positions` of epoch `epoch`'s order readable.
    func prepare(epoch: Int, positions: Range<Int>) throws
    /// The cell at `position` of the prepared epoch: its index among the training cells
    /// (for its label) and its values.
    func cell(at position: Int) -> (index: Int, values: UnsafePointer<Float>)
}

/// Training cells held in memory, visited in a fresh Fisher–Yates shuffle every epoch from
/// a generator that depends only on the seed and the epoch, so a resumed run needs no
/// saved permutation.
final class InMemoryTrainingCells: TrainingCells {
    let count: Int
    let genes: Int
    private let data: FloatBuffer            // [count, G]
    private let order: UnsafeMutablePointer<Int32>
    private let seed: UInt64
    private var shuffledEpoch = -1

    init(_ cells: CellMatrix, seed: UInt64) {
        count = cells.cells
        genes = cells.genes
        data = FloatBuffer(cells.values)
        order = .allocate(capacity: cells.cells)
        self.seed = seed
    }

    deinit { order.deallocate() }

    func first(_ cells: Int) -> [Float] { Array(UnsafeBufferPointer(start: data.constPointer, count: cells * genes)) }

    func prepare(epoch: Int, positions: Range<Int>) {
        guard epoch != shuffledEpoch else { return }
        for i in 0..<count { order[i] = Int32(i) }
        var shuffler = SeededGenerator(seed: seed, stream: 1_000_000 + UInt64(epoch))
        var positions = UnsafeMutableBufferPointer(start: order, count: count)
        shuffler.shuffle(&positions)
        shuffledEpoch = epoch
    }

    func cell(at position: Int) -> (index: Int, values: UnsafePointer<Float>) {
        let index = Int(order[position])
        return (index, data.constPointer + index * genes)
    }
}

/// How a streamed run reads its cells: hyperslabs of `blockCells` rows, shuffled in
/// windows of `windowBlocks` blocks.
public struct StreamingLayout: Codable, Equatable, Sendable {
    public var blockCells: Int
    public var windowBlocks: Int

    public init(blockCells: Int = 1024, windowBlocks: Int = 4) {
        self.blockCells = blockCells
        self.windowBlocks = windowBlocks
    }

    public var windowCells: Int { blockCells * windowBlocks }

    /// Refuses a layout whose window cannot hold a batch (a batch must span at most two windows).
    public func check(batch: Int) throws {
        guard blockCells >= 1, windowBlocks >= 1, windowCells >= batch else {
            throw TrainingError("a streaming window of \(windowBlocks) blocks of \(blockCells) cells is smaller than a batch of \(batch)")
        }
    }
}

/// The training cells `trainCells` (indices into `source`) as a run reads them: copied into
/// memory, or streamed as `config.data.streaming` lays them out.
func makeTrainingCells(_ config: TrainingConfig, _ source: CellSource, trainCells: [Int],
                       basis: PrincipalBasis?) throws -> TrainingCells {
    switch (source, config.data.streaming) {
    case (.whole(let whole), nil):
        let cells = HeldOutSplit.rows(whole.matrix, trainCells)
        return InMemoryTrainingCells(basis?.project(cells) ?? cells, seed: config.seed)
    case (.streamed, _?) where basis != nil:
        throw TrainingError("principal-component scores (--pca-basis) need the cells read whole, not streamed")
    case (.streamed(let streamed), let layout?):
        try layout.check(batch: config.batch)
        return StreamedTrainingCells(source: streamed, trainCells: trainCells, layout: layout, seed: config.seed)
    default:
        throw TrainingError("the run \(config.data.streaming == nil ? "reads its cells whole" : "streams its cells"), but they were opened the other way")
    }
}

/// Training cells streamed from disk. The training cells are cut into blocks of
/// `blockCells` consecutive cells; every epoch visits the full blocks in a seeded random
/// order and the short last block last, `windowBlocks` blocks at a time; each window's
/// cells are read together (one hyperslab per block) and shuffled among themselves. Every
/// window but the last holds at least a batch, so a batch spans at most two windows and
/// two window buffers are all the memory it takes. The order depends only on the seed, the
/// epoch and the layout, so a resumed run continues it exactly.
final class StreamedTrainingCells: TrainingCells {
    let count: Int
    let genes: Int
    private let source: StreamedCells
    /// The source's cell indices of the training cells, ascending.
    private let trainCells: [Int]
    private let layout: StreamingLayout
    private let seed: UInt64
    /// The laid-out epoch: its block order, and each window's first position (then `count`).
    private var laidOutEpoch = -1
    private var blocks: [Int] = []
    private var windowStarts: [Int] = []
    private let slots: [Slot]

    /// One window's cells, in their shuffled order.
    private final class Slot {
        var epoch = -1, window = -1, start = 0, cells = 0
        let values: FloatBuffer
        let indices: UnsafeMutablePointer<Int32>
        init(capacity: Int, genes: Int) {
            values = FloatBuffer(count: capacity * genes)
            indices = .allocate(capacity: capacity)
        }
        deinit { indices.deallocate() }
        func holds(_ position: Int) -> Bool { position >= start && position < start + cells }
    }

    init(source: StreamedCells, trainCells: [Int], layout: StreamingLayout, seed: UInt64) {
        self.source = source
        self.trainCells = trainCells
        self.layout = layout
        self.seed = seed
        count = trainCells.count
        genes = source.genes
        let capacity = min(count, layout.windowCells)
        slots = [Slot(capacity: capacity, genes: genes), Slot(capacity: capacity, genes: genes)]
    }

    func first(_ cells: Int) throws -> [Float] { try source.rows(Array(trainCells.prefix(cells))).values }

    func prepare(epoch: Int, positions: Range<Int>) throws {
        if laidOutEpoch != epoch { layOut(epoch: epoch) }
        // The windows the positions touch: the one holding the first, and the next if needed.
        let w0 = windowStarts.lastIndex { $0 <= positions.lowerBound } ?? 0
        var w1 = w0
        if w0 + 1 < windowStarts.count - 1, windowStarts[w0 + 1] < positions.upperBound { w1 = w0 + 1 }
        for window in w0...w1 where !isLoaded(window, epoch) {
            // Reuse the slot this batch does not need.
            let keepFirst = slots[0].epoch == epoch && (w0...w1).contains(slots[0].window)
            try load(window: window, epoch: epoch, into: keepFirst ? slots[1] : slots[0])
        }
    }

    func cell(at position: Int) -> (index: Int, values: UnsafePointer<Float>) {
        let slot = slots[0].holds(position) ? slots[0] : slots[1]
        let row = position - slot.start
        return (Int(slot.indices[row]), slot.values.constPointer + row * genes)
    }

    private func isLoaded(_ window: Int, _ epoch: Int) -> Bool {
        (slots[0].epoch == epoch && slots[0].window == window) || (slots[1].epoch == epoch && slots[1].window == window)
    }

    /// The epoch's block order and where each window starts.
    private func layOut(epoch: Int) {
        let b = layout.blockCells
        let full = count / b
        blocks = Array(0..<full)
        var shuffler = SeededGenerator(seed: seed, stream: 2_000_000 + UInt64(epoch))
        shuffler.shuffle(&blocks)
        if count % b != 0 { blocks.append(full) }
        windowStarts = []
        for firstBlock in stride(from: 0, to: blocks.count, by: layout.windowBlocks) {
            windowStarts.append(firstBlock * b)
        }
        windowStarts.append(count)
        laidOutEpoch = epoch
    }

    /// Reads window `window`'s cells from disk into `slot`, shuffled.
    private func load(window: Int, epoch: Int, into slot: Slot) throws {
        let b = layout.blockCells
        let firstBlock = window * layout.windowBlocks
        let lastBlock = min(blocks.count, firstBlock + layout.windowBlocks)
        var members: [Int] = []
        for block in blocks[firstBlock..<lastBlock] {
            let end = min(count, (block + 1) * b)
            members.append(contentsOf: (block * b)..<end)
        }
        let stream = UInt64(3_000_000) + (UInt64(epoch) << 24) + UInt64(window)
        var shuffler = SeededGenerator(seed: seed, stream: stream)
        shuffler.shuffle(&members)
        let read = try source.rows(members.map { trainCells[$0] })
        read.values.withUnsafeBufferPointer { slot.values.pointer.update(from: $0.baseAddress!, count: $0.count) }
        for (k, member) in members.enumerated() { slot.indices[k] = Int32(member) }
        slot.epoch = epoch
        slot.window = window
        slot.start = windowStarts[window]
        slot.cells = members.count
    }
}
