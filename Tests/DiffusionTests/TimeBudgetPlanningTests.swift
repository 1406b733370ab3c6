import CellData
@testable import Diffusion
import Foundation
import Networks
import XCTest

/// A run whose length the time budget chose is planned again at each checkpoint, from its
/// own pace: a step timed slow (or fast) before training neither cuts the run short nor
/// leaves its decay unfinished when the budget runs out.
final class TimeBudgetPlanningTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "wbdit-budget-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    let decay = LearningRateSchedule(peakRate: 1, warmupSteps: 10, cosineDecay: true, minimumRate: 0.1, totalSteps: 110)

    func testAResizedDecayGoesOnWithoutAJumpAndEndsAtTheNewLength() {
        let longer = decay.resized(at: 60, totalSteps: 210)
        XCTAssertEqual(longer.rate(at: 60), decay.rate(at: 60), accuracy: 1e-12)
        XCTAssertEqual(longer.rate(at: 210), 0.1, accuracy: 1e-12)
        // Half-way along what is left: the cosine at 3/4 of its way.
        XCTAssertEqual(longer.rate(at: 135), 0.1 + 0.9 * 0.5 * (1 + cos(Double.pi * 0.75)), accuracy: 1e-12)
        let shorter = decay.resized(at: 60, totalSteps: 70)
        XCTAssertEqual(shorter.rate(at: 60), decay.rate(at: 60), accuracy: 1e-12)
        XCTAssertEqual(shorter.rate(at: 70), 0.1, accuracy: 1e-12)
        XCTAssertLessThan(shorter.rate(at: 65), decay.rate(at: 65))
    }

    func testResizingTwiceAtTheSameStepChangesNothing() {
        let once = decay.resized(at: 60, totalSteps: 210)
        XCTAssertEqual(once.resized(at: 60, totalSteps: 210), once)
        let again = once.resized(at: 110, totalSteps: 150)
        XCTAssertEqual(again.rate(at: 110), once.rate(at: 110), accuracy: 1e-12)
        XCTAssertEqual(again.rate(at: 150), 0.1, accuracy: 1e-12)
    }

    func testDuringWarmUpOnlyTheEndMoves() {
        let resized = decay.resized(at: 5, totalSteps: 210)
        XCTAssertNil(resized.anchor)
        XCTAssertEqual(resized, LearningRateSchedule(peakRate: 1, warmupSteps: 10, cosineDecay: true, minimumRate: 0.1, totalSteps: 210))
    }

    func testTheStepsLeftFollowTheRunsOwnPace() {
        XCTAssertEqual(StepTimer.stepsLeft(budget: 100, spent: 10, completed: 1000), 8820)   // 90 s at 10 ms, less 2%
        XCTAssertEqual(StepTimer.stepsLeft(budget: 100, spent: 120, completed: 1000), 0)
        XCTAssertEqual(StepTimer.stepsLeft(budget: 100, spent: 0, completed: 0), 0)
    }

    // MARK: - The trainer

    func budgetConfig(plannedSteps: Int, budget: Double, checkpointEvery: Int = 25) throws -> TrainingConfig {
        let model = try ModelConfig(architecture: .whiteBox, inputWidth: 12, patchSize: 3, hiddenSize: 32, depth: 2, heads: 4)
        var config = TrainingConfig(softwareVersion: "test", model: model,
                                    data: DataSource(path: "toy", checksum: "0", cells: 12, genes: 12, nonNegative: true),
                                    batch: 6, learningRate: LearningRateSchedule(peakRate: 1e-3, warmupSteps: 5, cosineDecay: true,
                                                                                 minimumRate: 1e-5, totalSteps: plannedSteps),
                                    seed: 11, threads: 1, totalSteps: plannedSteps, checkpointEvery: checkpointEvery)
        config.timeBudgetSeconds = budget
        config.lengthChoice = "\(plannedSteps) steps: a plan made before training"
        return config
    }

    func cells() -> CellMatrix {
        CellMatrix(cells: 12, genes: 12, values: (0..<144).map { Float(($0 / 12 + $0 % 12) % 3) })
    }

    func train(_ trainer: Trainer) -> [StepReport] {
        var reports: [StepReport] = []
        trainer.runLoop { if case .step(let r) = $0 { reports.append(r) } }
        return reports
    }

    func testARunPlannedTooShortTrainsOnToItsBudget() throws {
        let trainer = try Trainer.start(config: budgetConfig(plannedSteps: 50, budget: 1.5), source: .matrix(cells()),
                                        runPath: directory + "/run")
        let reports = train(trainer)
        XCTAssertGreaterThan(reports.count, 100, "a plan of 50 steps for 1.5 s, planned again from the run's pace")
        XCTAssertGreaterThan(reports.last!.trainingSeconds, 1.0, "most of the budget is used")
        XCTAssertEqual(reports.last!.totalSteps, trainer.config.totalSteps)
        let (_, saved) = try RunDirectory.open(directory + "/run")
        XCTAssertEqual(saved.totalSteps, trainer.config.totalSteps, "the plan is written to the run")
        XCTAssertTrue(saved.lengthChoice?.contains("planned again") == true, saved.lengthChoice ?? "nil")
        XCTAssertNotNil(saved.learningRate.anchor)
    }

    func testARunPlannedTooLongStillEndsItsDecayWithinTheBudget() throws {
        // No checkpoint falls due by steps: the trainer writes one every twentieth of the budget to plan from.
        let trainer = try Trainer.start(config: budgetConfig(plannedSteps: 10_000_000, budget: 1.5, checkpointEvery: 10_000_000),
                                        source: .matrix(cells()), runPath: directory + "/run")
        var checkpoints = 0
        var reports: [StepReport] = []
        trainer.runLoop { event in
            if case .step(let r) = event { reports.append(r) }
            if case .checkpointWritten = event { checkpoints += 1 }
        }
        XCTAssertGreaterThanOrEqual(checkpoints, 15, "one every 0.075 s of 1.5 s")
        XCTAssertLessThan(reports.last!.totalSteps, 10_000_000)
        XCTAssertLessThan(reports.last!.learningRate, 0.25e-3, "without planning again the rate would still be at its peak")
    }

    func testAResumedRunKeepsThePlanItsCheckpointWasWrittenUnder() throws {
        let first = try Trainer.start(config: budgetConfig(plannedSteps: 50, budget: 60), source: .matrix(cells()),
                                      runPath: directory + "/run")
        var stopped = false
        first.runLoop { event in
            if case .checkpointWritten(let step, _) = event, step == 50, !stopped { stopped = true; first.send(.stop(checkpoint: false)) }
        }
        let planned = first.config
        XCTAssertGreaterThan(planned.totalSteps, 50, "planned again at step 25 and 50")
        let resumed = try Trainer.resume(runPath: directory + "/run", source: .matrix(cells()))
        XCTAssertEqual(resumed.config, planned)
    }
}
