import CellData
import Diffusion
import Foundation
import Kernels
import Networks
import XCTest

/// Cell-type conditional training (label dropout) and classifier-free guidance.
final class ConditionalTests: XCTestCase {
    var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "wbdit-conditional-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    let names = ["a", "b", "c"]

    func cells() -> (CellMatrix, [String]) {
        let (n, g) = (12, 12)
        let values = (0..<(n * g)).map { i -> Float in Float((i / g + i % g) % 3) + (i % g == (i / g) % 3 ? 2 : 0) }
        return (CellMatrix(cells: n, genes: g, values: values), (0..<n).map { names[$0 % 3] })
    }

    func config(steps: Int) throws -> TrainingConfig {
        let model = try ModelConfig(architecture: .dit, inputWidth: 12, patchSize: 3, hiddenSize: 16, depth: 1, heads: 2, classes: 3)
        var c = TrainingConfig(softwareVersion: "test", model: model,
                               data: DataSource(path: "toy", checksum: "0", cells: 12, genes: 12, nonNegative: true),
                               batch: 6, learningRate: LearningRateSchedule(peakRate: 1e-3, totalSteps: steps),
                               seed: 3, threads: 2, totalSteps: steps, checkpointEvery: 1000)
        c.labelColumn = "type"
        c.labelNames = names
        c.labelDropout = 0.3
        return c
    }

    func testConditionalRunResumesBitForBitAndNeedsItsLabels() throws {
        let (data, labels) = cells()
        let whole = try Trainer.start(config: config(steps: 12), source: .matrix(data), labels: labels, runPath: directory + "/a").trainedLosses()
        let first = try Trainer.start(config: config(steps: 12), source: .matrix(data), labels: labels, runPath: directory + "/b")
        let head = first.trainedLosses(stopAt: 5)
        let tail = try Trainer.resume(runPath: directory + "/b", source: .matrix(data), labels: labels).trainedLosses()
        XCTAssertEqual(head + tail, whole)
        let checkpoint = try SafeTensorsFile(contentsOf: directory + "/b/checkpoints/step-12.safetensors")
        XCTAssertEqual(checkpoint.metadata["label_names"], "[\"a\",\"b\",\"c\"]")
        XCTAssertThrowsError(try Trainer.start(config: config(steps: 2), source: .matrix(data), runPath: directory + "/c"))
        XCTAssertThrowsError(try Trainer.start(config: config(steps: 2), source: .matrix(data), labels: labels.map { $0 == "a" ? "z" : $0 },
                                               runPath: directory + "/d"))
    }

    func testGuidanceZeroIsUnconditionalAndOneIsPlainConditional() throws {
        let model = try ModelConfig(architecture: .whiteBox, inputWidth: 12, patchSize: 3, hiddenSize: 16, depth: 1, heads: 2, classes: 3)
        let network = DiffusionTransformer(config: model, seed: 9)
        // Away from the zero-initialised modulation, where the label cannot matter yet.
        var generator = SeededGenerator(seed: 2)
        generator.fillNormal(network.parameters.trainable, count: network.parameters.layout.trainableCount, std: 0.1)
        let sampler = Sampler(settings: SamplerSettings(steps: 5, seed: 4))
        let labels: [Int32] = [0, 2, 1]
        let nulls: [Int32] = [3, 3, 3]
        let unconditional = sampler.sample(network, cells: 3, labels: nulls)
        XCTAssertEqual(sampler.sample(network, cells: 3, labels: labels, guidance: 0, nullLabel: 3), unconditional)
        let conditional = sampler.sample(network, cells: 3, labels: labels)
        XCTAssertEqual(sampler.sample(network, cells: 3, labels: labels, guidance: 1, nullLabel: 3), conditional)
        XCTAssertNotEqual(conditional, unconditional)
        XCTAssertNotEqual(sampler.sample(network, cells: 3, labels: labels, guidance: 3, nullLabel: 3), conditional)
    }
}
