import CellData
import Diffusion
import Foundation
import Kernels
import Networks
import TestSupport
import XCTest

/// The exact velocity for data that is one point c: v = √ᾱ·ε − √(1 − ᾱ)·c with
/// ε = (x − √ᾱ·c) / √(1 − ᾱ).
final class PointMassVelocityOracle: NoisePredictor {
    let noise: PointMassOracle
    var output = FloatBuffer(count: 0)
    init(point: [Float]) { noise = PointMassOracle(point: point) }
    var inputWidth: Int { noise.inputWidth }

    func predictNoise(x: ConstFloatPointer, t: ConstFloatPointer, labels: UnsafePointer<Int32>?, batch: Int) -> ConstFloatPointer {
        let eps = noise.predictNoise(x: x, t: t, labels: labels, batch: batch)
        if output.count != batch * inputWidth { output = FloatBuffer(count: batch * inputWidth) }
        for c in 0..<batch {
            let ab = NoiseSchedule.standard.alphaBars[Int(t[c])]
            for j in 0..<inputWidth {
                output[c * inputWidth + j] = Float(ab.squareRoot() * Double(eps[c * inputWidth + j]) - (1 - ab).squareRoot() * Double(noise.point[j]))
            }
        }
        return output.constPointer
    }
}

/// The recipe's code paths on tiny budgets: the velocity target and its inverse, min-SNR
/// weights, biased timestep draws, the learning-rate schedule the `fast` recipe sets, and
/// the EMA swap.
final class RecipeTests: XCTestCase {
    var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "wbdit-recipe-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    func testTheVelocityTargetTurnsBackIntoTheNoiseExactly() {
        var generator = SeededGenerator(seed: 3)
        let g = 7
        let x0 = FloatBuffer(count: g), eps = FloatBuffer(count: g), xt = FloatBuffer(count: g), v = FloatBuffer(count: g)
        generator.fillNormal(x0.pointer, count: g)
        generator.fillNormal(eps.pointer, count: g)
        for t in [1, 10, 500, 999] {
            NoiseSchedule.standard.noise(x0.constPointer, eps.constPointer, at: t, into: xt.pointer, count: g)
            PredictionTarget.velocity.target(x0: x0.constPointer, noise: eps.constPointer, at: t, into: v.pointer, count: g)
            // A "network" that outputs this v, read back as noise.
            let converter = VelocityAsNoise(FixedOutput(v.array))
            var time = Float(t)
            let recovered = converter.predictNoise(x: xt.constPointer, t: &time, labels: nil, batch: 1)
            XCTAssertLessThan(relativeDifference(Array(UnsafeBufferPointer(start: recovered, count: g)), eps.array), 1e-5, "t = \(t)")
            withExtendedLifetime(converter) {}
            PredictionTarget.epsilon.target(x0: x0.constPointer, noise: eps.constPointer, at: t, into: v.pointer, count: g)
            XCTAssertEqual(v.array, eps.array)
        }
    }

    func testSamplingAVelocityModelRecoversAPointMass() {
        let point: [Float] = [0, 0.5, 1, 2, 3.5, 0.25]
        let settings = SamplerSettings(method: .ddim, steps: 50, eta: 0, ending: .clean, seed: 1)
        let cells = Sampler(settings: settings).sample(PredictionTarget.velocity.noisePredictor(PointMassVelocityOracle(point: point)),
                                                       cells: 4, batch: 4)
        for c in 0..<4 {
            XCTAssertLessThan(relativeDifference(Array(cells[(c * 6)..<(c * 6 + 6)]), point), 1e-4)
        }
    }

    func testMinSNRWeights() {
        let ab = NoiseSchedule.standard.alphaBars
        for t in [1, 100, 300, 999] {
            let snr = ab[t] / (1 - ab[t])
            let epsilon = MinSNRWeighting(gamma: 5, target: .epsilon).weight(at: t)
            let velocity = MinSNRWeighting(gamma: 5, target: .velocity).weight(at: t)
            XCTAssertEqual(Double(epsilon), min(snr, 5) / snr, accuracy: 1e-6 * max(1, min(snr, 5) / snr))
            XCTAssertEqual(Double(velocity), min(snr, 5) / (snr + 1), accuracy: 1e-6)
        }
        // Clean steps (high SNR) are weighted down; noisy ones keep weight 1 under ε.
        XCTAssertLessThan(MinSNRWeighting(gamma: 5, target: .epsilon).weight(at: 1), 0.01)
        XCTAssertEqual(MinSNRWeighting(gamma: 5, target: .epsilon).weight(at: 999), 1)
    }

    /// Uniform draws (power nil or 1) keep the reference's stream; power K has density ∝ t^(K−1) on 1…999,
    /// so t/999 has mean K/(K + 1) and median 2^(−1/K).
    func testTimestepDrawsFollowTheirDensity() {
        var a = SeededGenerator(seed: 9), b = SeededGenerator(seed: 9)
        for i in 0..<1000 {
            XCTAssertEqual(TimestepSampling(power: i % 2 == 0 ? nil : 1).draw(using: &a), 1 + Int(b.next() % 999))
        }
        for power in [1.0, 2.0, 4.0] {
            var generator = SeededGenerator(seed: 4)
            let draws = (0..<200_000).map { _ in TimestepSampling(power: power).draw(using: &generator) }
            XCTAssertGreaterThanOrEqual(draws.min()!, 1)
            XCTAssertEqual(draws.max(), 999)
            let mean = Double(draws.reduce(0, +)) / Double(draws.count) / 999
            XCTAssertEqual(mean, power / (power + 1), accuracy: 0.005, "power \(power)")
            let median = Double(draws.sorted()[draws.count / 2]) / 999
            XCTAssertEqual(median, pow(0.5, 1 / power), accuracy: 0.005, "power \(power)")
        }
    }

    func testTheFastRecipesScheduleWarmsUpThenDecaysToItsFloorAtTheLastStep() throws {
        var plan = RunPlan(dataPath: "toy", model: try ModelConfig(architecture: .whiteBox, inputWidth: 12, patchSize: 3,
                                                                   hiddenSize: 32, depth: 2, heads: 4))
        TrainingRecipe.fast.apply(to: &plan)
        plan.totalSteps = 1000
        let schedule = LearningRateSchedule(peakRate: plan.learningRate, warmupSteps: plan.warmupSteps, cosineDecay: plan.cosineDecay,
                                            minimumRate: plan.minimumLearningRate, totalSteps: plan.totalSteps)
        XCTAssertEqual(schedule.rate(at: plan.warmupSteps / 2), plan.learningRate / 2, accuracy: 1e-12)
        XCTAssertEqual(schedule.rate(at: plan.warmupSteps), plan.learningRate)
        XCTAssertEqual(schedule.rate(at: 1000), plan.minimumLearningRate, accuracy: 1e-12)
        TrainingRecipe.reference.apply(to: &plan)
        XCTAssertEqual([plan.learningRate, Double(plan.batch), Double(plan.warmupSteps)], [1e-4, 16, 0])
        XCTAssertFalse(plan.cosineDecay)
        XCTAssertNil(plan.gradientClip)
        XCTAssertNil(plan.emaDecay)
    }

    /// Runs trained with velocity prediction and EMA, with min-SNR weights or with biased
    /// timestep draws: each learns and repeats bit for bit, and sampling with the EMA weights
    /// — in the trainer or from the saved run — uses exactly the averaged weights.
    func testVelocityRunsWithMinSNROrBiasedTimestepsTrainRepeatAndSwapInTheirEMAWeights() throws {
        var values = [Float](repeating: 0, count: 144)
        for i in 0..<144 { values[i] = Float((i / 12 + i % 12) % 3) }
        let cells = CellMatrix(cells: 12, genes: 12, values: values)
        func config(steps: Int, minSNR: Double?, power: Double?) throws -> TrainingConfig {
            var config = TrainingConfig(
                softwareVersion: "test",
                model: try ModelConfig(architecture: .whiteBox, inputWidth: 12, patchSize: 3, hiddenSize: 32, depth: 2, heads: 4),
                data: DataSource(path: "toy", checksum: "0", cells: 12, genes: 12, nonNegative: true), batch: 6,
                learningRate: LearningRateSchedule(peakRate: 3e-3, warmupSteps: 5, cosineDecay: true, minimumRate: 1e-4, totalSteps: steps),
                gradientClip: 1, emaDecay: 0.9, seed: 2, threads: 2, totalSteps: steps, checkpointEvery: 20)
            config.predictionTarget = .velocity
            config.minSNRGamma = minSNR
            config.timestepPower = power
            return config
        }
        let options: [(name: String, minSNR: Double?, power: Double?)] = [("a", 5, nil), ("biased", nil, 2)]
        for (name, minSNR, power) in options {
            let settings = try config(steps: 150, minSNR: minSNR, power: power)
            let whole = try Trainer.start(config: settings, source: .matrix(cells), runPath: directory + "/" + name).trainedLosses()
            XCTAssertLessThan(whole.suffix(30).reduce(0, +), 0.85 * whole.prefix(30).reduce(0, +), "\(name): the velocity loss falls")
            let again = try Trainer.start(config: settings, source: .matrix(cells), runPath: directory + "/" + name + "-again").trainedLosses()
            XCTAssertEqual(again, whole, name)
        }

        // The EMA network differs from the trained weights, and sampling from it in the trainer
        // equals sampling from the saved run's EMA weights.
        let run = try RunDirectory.open(directory + "/a").0
        let trained = try Checkpoint.load(run.modelPath(step: 150)), averaged = try run.loadEMA(step: 150)
        XCTAssertNotEqual(Array(UnsafeBufferPointer(start: trained.parameters.trainable, count: 50)),
                          Array(UnsafeBufferPointer(start: averaged.parameters.trainable, count: 50)))
        // Resumed for one more step: the command is handled before that step, on step 150's weights.
        let resumed = try Trainer.resume(runPath: directory + "/a", source: .matrix(cells), totalSteps: 151)
        let settings = SamplerSettings(steps: 5, seed: 9)
        resumed.send(.sampleNow(cells: 3, settings: settings, useEMA: true))
        var sampled: [Float] = []
        resumed.runLoop { if case .samplesReady(_, _, _, let values, _, _) = $0 { sampled = values } }
        averaged.inferenceOnly = true
        let offline = Sampler(settings: settings).sample(PredictionTarget.velocity.noisePredictor(averaged), cells: 3)
        XCTAssertEqual(sampled, offline)
    }
}

/// A noise predictor that returns the same values whatever it is asked.
final class FixedOutput: NoisePredictor {
    let values: FloatBuffer
    init(_ values: [Float]) { self.values = FloatBuffer(values) }
    var inputWidth: Int { values.count }
    func predictNoise(x: ConstFloatPointer, t: ConstFloatPointer, labels: UnsafePointer<Int32>?, batch: Int) -> ConstFloatPointer {
        values.constPointer
    }
}
