import CellData
import Diffusion
import Foundation
import Kernels
import Networks
import TestSupport
import XCTest

final class TrainerTests: XCTestCase {
    var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "wbdit-trainer-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    /// A handful of non-negative cells with some structure.
    func cells(_ count: Int = 12, genes: Int = 12) -> CellMatrix {
        var generator = SeededGenerator(seed: 5)
        let values = (0..<(count * genes)).map { i -> Float in
            let (c, g) = (i / genes, i % genes)
            return Float((c + g) % 3) + 0.1 * abs(generator.nextNormal())
        }
        return CellMatrix(cells: count, genes: genes, values: values)
    }

    func config(steps: Int, lr: Double = 1e-3, checkpointEvery: Int = 1000, ema: Double? = nil) throws -> TrainingConfig {
        let model = try ModelConfig(architecture: .whiteBox, inputWidth: 12, patchSize: 3, hiddenSize: 32, depth: 2, heads: 4)
        return TrainingConfig(softwareVersion: "test", model: model,
                              data: DataSource(path: "toy", checksum: "0", cells: 12, genes: 12, nonNegative: true),
                              batch: 6, learningRate: LearningRateSchedule(peakRate: lr, totalSteps: steps),
                              emaDecay: ema, seed: 11, threads: 2, totalSteps: steps, checkpointEvery: checkpointEvery)
    }

    /// Runs to the end on this thread; returns the losses and every event.
    func train(_ trainer: Trainer, onStep: (Int) -> Void = { _ in }) -> (losses: [Double], events: [TrainerEvent]) {
        var losses: [Double] = [], events: [TrainerEvent] = []
        trainer.runLoop { event in
            events.append(event)
            if case .step(let r) = event { losses.append(r.loss); onStep(r.step) }
        }
        return (losses, events)
    }

    func testATinyModelFitsAHandfulOfCells() throws {
        let trainer = try Trainer.start(config: config(steps: 400, lr: 3e-3), source: .matrix(cells()), runPath: directory + "/run")
        let losses = train(trainer).losses
        let first = losses.prefix(3).reduce(0, +) / 3, last = losses.suffix(40).reduce(0, +) / 40
        print("loss: first 3 steps \(first), last 40 steps \(last)")
        XCTAssertGreaterThan(first, 0.8, "an untrained network predicts zero noise: loss ≈ 1")
        XCTAssertLessThan(last, 0.3, "loss fell from \(first) to \(last)")
    }

    func testSameSeedSameLossesAndResumeContinuesBitForBit() throws {
        let uninterrupted = train(try Trainer.start(config: config(steps: 30, ema: 0.9), source: .matrix(cells()),
                                                    runPath: directory + "/a")).losses
        let again = train(try Trainer.start(config: config(steps: 30, ema: 0.9), source: .matrix(cells()),
                                            runPath: directory + "/b")).losses
        XCTAssertEqual(uninterrupted, again, "the same seed gives the same loss sequence")

        // Stop after step 17 (writing a checkpoint), then resume from that checkpoint.
        let first = try Trainer.start(config: config(steps: 30, ema: 0.9), source: .matrix(cells()), runPath: directory + "/c")
        let head = train(first) { step in if step == 17 { first.send(.stop(checkpoint: true)) } }
        XCTAssertEqual(head.losses.count, 17)
        XCTAssertTrue(head.events.contains(.checkpointWritten(step: 17, path: directory + "/c/checkpoints/step-17.safetensors")))
        let resumed = try Trainer.resume(runPath: directory + "/c", source: .matrix(cells()))
        XCTAssertEqual(resumed.completedSteps, 17)
        let tail = train(resumed).losses
        XCTAssertEqual(head.losses + tail, uninterrupted, "a resumed run continues the same sequence")

        // The metrics log holds one line per step, 1…30, in order, and the readouts of step 1.
        let lines = try String(contentsOfFile: directory + "/c/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        let steps = lines.filter { $0.contains("\"loss\"") }, layers = lines.filter { $0.contains("\"coding_rate\"") }
        XCTAssertEqual(steps.count, 30)
        XCTAssertEqual((try JSONSerialization.jsonObject(with: Data(steps.last!.utf8)) as? [String: Any])?["step"] as? Int, 30)
        XCTAssertEqual(layers.count, 2, "one readout line per layer at step 1")
        XCTAssertTrue(head.events.contains { if case .readouts(1, let l) = $0 { return l.count == 2 } else { return false } })
    }

    /// A run with BF16 products keeps its precision in config.json, resumes bit for bit in
    /// it, and follows the Float32 run's losses to within bfloat16's rounding, not exactly.
    func testABF16RunKeepsItsPrecisionResumesExactlyAndTracksFloat32() throws {
        try XCTSkipUnless(ProductPrecision.bfloat16Runs, "this CPU has no AVX-512 BF16")
        func bf16Config() throws -> TrainingConfig {
            var config = try config(steps: 30)
            config.productPrecision = .bfloat16
            return config
        }
        let float32 = train(try Trainer.start(config: config(steps: 30), source: .matrix(cells()), runPath: directory + "/fp32")).losses
        let uninterrupted = train(try Trainer.start(config: bf16Config(), source: .matrix(cells()), runPath: directory + "/a")).losses
        let first = try Trainer.start(config: bf16Config(), source: .matrix(cells()), runPath: directory + "/b")
        let head = train(first) { step in if step == 12 { first.send(.stop(checkpoint: true)) } }
        let resumed = try Trainer.resume(runPath: directory + "/b", source: .matrix(cells()))
        XCTAssertEqual(resumed.config.precision, .bfloat16, "the precision is read back from config.json")
        XCTAssertEqual(head.losses + train(resumed).losses, uninterrupted, "a resumed BF16 run continues the same sequence")
        XCTAssertNotEqual(uninterrupted, float32, "the products really ran in BF16")
        for (step, (bf16, fp32)) in zip(uninterrupted, float32).enumerated() {
            XCTAssertLessThan(abs(bf16 - fp32), 0.02 * fp32, "step \(step + 1): BF16 loss \(bf16), Float32 \(fp32)")
        }
        let stored = try String(contentsOfFile: directory + "/a/config.json", encoding: .utf8)
        XCTAssertTrue(stored.contains("\"productPrecision\" : \"bf16\""), stored)
    }

    func testANonFiniteLossStopsTheRunAndKeepsTheLastGoodCheckpoint() throws {
        let trainer = try Trainer.start(config: config(steps: 200, checkpointEvery: 5), source: .matrix(cells()), runPath: directory + "/run")
        let result = train(trainer) { step in if step == 10 { trainer.send(.setLearningRate(1e30)) } }
        guard case .failed(let step, let reason) = result.events.last else {
            return XCTFail("the run did not fail: \(String(describing: result.events.last))")
        }
        XCTAssertTrue(reason.contains("the last good checkpoint is step"), reason)
        let run = RunDirectory(path: directory + "/run")
        let latest = try XCTUnwrap(try run.latestStep())
        XCTAssertLessThan(latest, step)
        let network = try Checkpoint.load(run.modelPath(step: latest))   // refuses non-finite weights
        XCTAssertEqual(network.config.inputWidth, 12)
    }

    /// A checkpoint that cannot be written stops the run with the reason; the earlier
    /// checkpoint stays complete and `latest` keeps naming it.
    func testAnUnwritableCheckpointStopsTheRunWithoutHarmingEarlierOnes() throws {
        let trainer = try Trainer.start(config: config(steps: 20, checkpointEvery: 5), source: .matrix(cells()), runPath: directory + "/run")
        let run = RunDirectory(path: directory + "/run")
        // The temporary file of the step-10 checkpoint cannot be created: a folder has its name.
        let blocker = run.checkpointsPath + "/.step-10.safetensors.partial-\(getpid())"
        try FileManager.default.createDirectory(atPath: blocker, withIntermediateDirectories: false)
        let events = train(trainer).events
        guard case .failed(let step, let reason) = events.last else { return XCTFail("\(String(describing: events.last))") }
        XCTAssertEqual(step, 10)
        XCTAssertTrue(reason.contains("cannot write") && reason.contains("step-10.safetensors"), reason)
        XCTAssertEqual(try run.latestStep(), 5)
        XCTAssertNoThrow(try Checkpoint.load(run.modelPath(step: 5)))
    }

    func testCheckpointsArePrunedAndLatestPointsAtTheNewest() throws {
        _ = train(try Trainer.start(config: config(steps: 12, checkpointEvery: 2), source: .matrix(cells()), runPath: directory + "/run"))
        let names = try FileManager.default.contentsOfDirectory(atPath: directory + "/run/checkpoints").sorted()
        XCTAssertEqual(names, ["step-10.optim.safetensors", "step-10.safetensors", "step-12.optim.safetensors",
                               "step-12.safetensors", "step-8.optim.safetensors", "step-8.safetensors"])
        XCTAssertEqual(try RunDirectory(path: directory + "/run").latestStep(), 12)
    }

    func testSamplingFromATrainerUsesASnapshot() throws {
        let trainer = try Trainer.start(config: config(steps: 4), source: .matrix(cells()), runPath: directory + "/run")
        trainer.send(.sampleNow(cells: 3, settings: SamplerSettings(steps: 5), useEMA: false))
        let events = train(trainer).events
        guard case .samplesReady(_, let count, let genes, let values, _, let path)? = events.first(where: {
            if case .samplesReady = $0 { return true } else { return false }
        }) else { return XCTFail("no samples") }
        XCTAssertEqual([count, genes, values.count], [3, 12, 36])
        XCTAssertTrue(FileManager.default.fileExists(atPath: path))
    }

    func testRunDirectoriesAreNotOverwrittenAndOldFormatsAreRefused() throws {
        // A run with a checkpoint is never replaced (one cut off before its first is: TrainCommandTests).
        _ = train(try Trainer.start(config: config(steps: 1), source: .matrix(cells()), runPath: directory + "/run"))
        XCTAssertThrowsError(try Trainer.start(config: config(steps: 1), source: .matrix(cells()), runPath: directory + "/run")) {
            XCTAssertTrue("\($0)".contains("already holds a run"), "\($0)")
        }
        let path = directory + "/run/config.json"
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "\"format\" : 1", with: "\"format\" : 0")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Trainer.resume(runPath: directory + "/run", source: .matrix(cells()))) {
            XCTAssertTrue("\($0)".contains("run format 0"), "\($0)")
        }
    }

    func testLearningRateSchedule() {
        let s = LearningRateSchedule(peakRate: 1, warmupSteps: 10, cosineDecay: true, minimumRate: 0.1, totalSteps: 110)
        XCTAssertEqual(s.rate(at: 5), 0.5, accuracy: 1e-12)
        XCTAssertEqual(s.rate(at: 10), 1, accuracy: 1e-12)
        XCTAssertEqual(s.rate(at: 60), 0.55, accuracy: 1e-12)
        XCTAssertEqual(s.rate(at: 110), 0.1, accuracy: 1e-12)
        XCTAssertEqual(LearningRateSchedule(peakRate: 2, totalSteps: 5).rate(at: 3), 2)
    }
}

extension TrainerTests {
    func testATimeBudgetStopsTheRunWithACheckpointAndCarriesOverAResume() throws {
        var c = try config(steps: 100_000, checkpointEvery: 100_000)
        c.timeBudgetSeconds = 0.3
        let trainer = try Trainer.start(config: c, source: .matrix(cells()), runPath: directory + "/run")
        let (losses, events) = train(trainer)
        XCTAssertLessThan(losses.count, 100_000)
        guard case .finished(let step, let reason)? = events.last else { return XCTFail("\(String(describing: events.last))") }
        XCTAssertEqual(step, losses.count)
        XCTAssertTrue(reason.hasPrefix("time budget of 0.3 s spent at step"), reason)
        XCTAssertTrue(events.contains { if case .checkpointWritten(step, _) = $0 { return true }; return false })
        let reports = events.compactMap { e -> StepReport? in if case .step(let r) = e { return r }; return nil }
        XCTAssertGreaterThanOrEqual(reports.last!.trainingSeconds, 0.3 - reports.last!.stepSeconds)
        XCTAssertEqual(reports.last!.progress(budget: 0.3), 1, accuracy: 0.2)
        XCTAssertLessThanOrEqual(reports.last!.etaSeconds, 0.3)
        // Resumed, the budget is already spent: one more step, then it stops again.
        let resumed = try Trainer.resume(runPath: directory + "/run", source: .matrix(cells()))
        let (more, again) = train(resumed)
        XCTAssertEqual(more.count, 1)
        guard case .finished(_, let why)? = again.last else { return XCTFail("no finish") }
        XCTAssertTrue(why.hasPrefix("time budget"), why)
    }
}
