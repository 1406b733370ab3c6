import CellData
@testable import Diffusion
import Foundation
import Kernels
import Networks
import XCTest

/// Training on cells streamed from an `.h5ad` (blocks of 5 rows, windows of 2 blocks, so
/// batches straddle windows and epochs end in a short block).
final class StreamedTrainingTests: XCTestCase {
    var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "wbdit-streamed-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    /// 47 cells × 12 genes of counts in a dense `.h5ad`, with a type column.
    func writeCells() throws -> String {
        let (n, g) = (47, 12)
        let values = (0..<(n * g)).map { i -> Float in Float((i * 7 + i / g) % 5) }
        let path = directory + "/cells.h5ad"
        try AnnDataWriter.write(CellMatrix(cells: n, genes: g, values: values), to: path,
                                categories: [(name: "type", values: (0..<n).map { ["a", "b", "c"][$0 % 3] })])
        return path
    }

    func plan(_ path: String, steps: Int) throws -> RunPlan {
        var plan = RunPlan(dataPath: path, model: try ModelConfig(architecture: .whiteBox, inputWidth: 1, patchSize: 3,
                                                                  hiddenSize: 16, depth: 1, heads: 2))
        plan.preparation = Preparation(topGenes: nil)
        plan.streaming = true
        plan.streamingLayout = StreamingLayout(blockCells: 5, windowBlocks: 2)
        plan.batch = 4
        plan.totalSteps = steps
        plan.checkpointEvery = 1000
        plan.labelColumn = "type"
        plan.threads = 2
        plan.seed = 5
        return plan
    }

    func testAStreamedRunResumesBitForBit() throws {
        let path = try writeCells()
        // 42 training cells, batch 4: 10 steps an epoch, so 25 steps cross two epochs.
        let whole = try plan(path, steps: 25).start(runPath: directory + "/a").trainer.trainedLosses()
        XCTAssertEqual(whole.count, 25)
        let first = try plan(path, steps: 25).start(runPath: directory + "/b")
        XCTAssertEqual(first.trainer.config.data.streaming, StreamingLayout(blockCells: 5, windowBlocks: 2))
        let head = first.trainer.trainedLosses(stopAt: 13)
        let tail = try RunPlan.resume(runPath: directory + "/b").trainer.trainedLosses()
        XCTAssertEqual(head + tail, whole)
        // The held-out cells read back through the stream are the ones read whole.
        let whole2 = try CellLoader.load(path, Preparation(topGenes: nil))
        XCTAssertEqual(try first.cells.rows(first.split.heldOutCells), HeldOutSplit.rows(whole2.matrix, first.split.heldOutCells))
    }

    func testEveryEpochVisitsEveryTrainingCellOnce() throws {
        let source = try StreamedCells(path: try writeCells(), preparation: Preparation(topGenes: nil), blockCells: 5)
        let train = Array(stride(from: 0, to: 47, by: 1)).filter { $0 % 9 != 4 }   // 42 cells, gaps like a held-out split
        let cells = StreamedTrainingCells(source: source, trainCells: train, layout: StreamingLayout(blockCells: 5, windowBlocks: 2), seed: 9)
        let expected = try source.rows(train)
        var orders: [[Int]] = []
        for epoch in 0..<2 {
            var seen: [Int] = []
            for start in stride(from: 0, through: cells.count - 4, by: 4) {
                try cells.prepare(epoch: epoch, positions: start..<(start + 4))
                for p in start..<(start + 4) {
                    let (index, values) = cells.cell(at: p)
                    seen.append(index)
                    XCTAssertEqual(Array(UnsafeBufferPointer(start: values, count: 12)),
                                   Array(expected.values[(index * 12)..<((index + 1) * 12)]), "cell \(index)")
                }
            }
            XCTAssertEqual(seen.count, 40)
            XCTAssertEqual(Set(seen).count, 40, "no cell twice in an epoch")
            orders.append(seen)
        }
        XCTAssertNotEqual(orders[0], orders[1], "each epoch has its own order")
        XCTAssertNotEqual(orders[0], orders[0].sorted(), "the order is shuffled")
    }
}
