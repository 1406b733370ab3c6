import CellData
import Diffusion
import Networks
import Foundation
import Workbench
import XCTest

/// The session a workbench drives, on a real run: what it posts while training.
final class SessionTests: XCTestCase {
    let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../CellDataTests/Fixtures/zeisel-slice.h5ad").standardized.path

    /// The Compare screen's summary of the run being trained follows its checkpoints, not
    /// only the moment it started; the Layers screen gets the live run's units.
    func testTheRunsSummaryFollowsALiveRun() throws {
        let folder = NSTemporaryDirectory() + "wbdit-session-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var plan = RunPlan(dataPath: data, model: try ModelConfig(architecture: .whiteBox, inputWidth: 1, patchSize: 5,
                                                                  hiddenSize: 8, depth: 1, heads: 2))
        plan.preparation = Preparation(topGenes: 20)
        (plan.batch, plan.totalSteps, plan.checkpointEvery, plan.threads) = (8, 40, 10, 1)
        let session = Session(runsFolder: folder)
        session.start(plan, runPath: folder + "/live")
        var seen: [Int] = []
        var units: [Int] = []
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            for event in session.inbox.drain() {
                if case .runs(let runs) = event { seen += runs.filter { $0.name == "live" }.map(\.stepsDone) }
                if case .units(let read) = event { units.append(read.units.count) }
            }
            // At a checkpoint (or at the end, 40, when summaries do not follow), and the units read once.
            if seen.contains(where: { $0 >= 10 }) && !units.isEmpty { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        session.close(checkpoint: false)
        XCTAssertTrue(seen.contains { (10..<40).contains($0) }, "summaries seen at steps \(seen)")
        // The live run's units are read as it learns (its types are kept: it stratified by level1 by default).
        XCTAssertFalse(units.isEmpty, "the Layers screen's units of a live run")
    }
}
