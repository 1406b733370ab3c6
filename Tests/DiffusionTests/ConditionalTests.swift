import CellData
@testable import Diffusion
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

    static let names = ["a", "b", "c"]

    static func cells() -> (CellMatrix, [String]) {
        let (n, g) = (12, 12)
        let values = (0..<(n * g)).map { i -> Float in Float((i / g + i % g) % 3) + (i % g == (i / g) % 3 ? 2 : 0) }
        return (CellMatrix(cells: n, genes: g, values: values), (0..<n).map { names[$0 % 3] })
    }

    static func config(steps: Int) throws -> TrainingConfig {
        let model = try ModelConfig(architecture: .dit, inputWidth: 12, patchSize: 3, hiddenSize: 16, depth: 1, heads: 2, labelClasses: [3])
        var c = TrainingConfig(softwareVersion: "test", model: model,
                               data: DataSource(path: "toy", checksum: "0", cells: 12, genes: 12, nonNegative: true),
                               batch: 6, learningRate: LearningRateSchedule(peakRate: 1e-3, totalSteps: steps),
                               seed: 3, threads: 2, totalSteps: steps, checkpointEvery: 1000)
        c.labelAttributes = LabelAttributes(columns: ["type"], classes: [names])
        c.labelDropout = 0.3
        return c
    }

    func testConditionalRunResumesBitForBitAndNeedsItsLabels() throws {
        let (data, labels) = Self.cells()
        let whole = try Trainer.start(config: Self.config(steps: 12), source: .matrix(data), labels: labels, runPath: directory + "/a").trainedLosses()
        let first = try Trainer.start(config: Self.config(steps: 12), source: .matrix(data), labels: labels, runPath: directory + "/b")
        let head = first.trainedLosses(stopAt: 5)
        let tail = try Trainer.resume(runPath: directory + "/b", source: .matrix(data), labels: labels).trainedLosses()
        XCTAssertEqual(head + tail, whole)
        let checkpoint = try SafeTensorsFile(contentsOf: directory + "/b/checkpoints/step-12.safetensors")
        XCTAssertEqual(checkpoint.metadata["label_names"], "[\"a\",\"b\",\"c\"]")
        XCTAssertThrowsError(try Trainer.start(config: Self.config(steps: 2), source: .matrix(data), runPath: directory + "/c"))
        XCTAssertThrowsError(try Trainer.start(config: Self.config(steps: 2), source: .matrix(data), labels: labels.map { $0 == "a" ? "z" : $0 },
                                               runPath: directory + "/d"))
    }

    func testGuidanceZeroIsUnconditionalAndOneIsPlainConditional() throws {
        let model = try ModelConfig(architecture: .whiteBox, inputWidth: 12, patchSize: 3, hiddenSize: 16, depth: 1, heads: 2, labelClasses: [3])
        let network = DiffusionTransformer(config: model, seed: 9)
        // Away from the zero-initialised modulation, where the label cannot matter yet.
        var generator = SeededGenerator(seed: 2)
        generator.fillNormal(network.parameters.trainable, count: network.parameters.layout.trainableCount, std: 0.1)
        let sampler = Sampler(settings: SamplerSettings(steps: 5, seed: 4))
        let labels: [Int32] = [0, 2, 1]
        func asked(_ codes: [Int32], _ w: Double) -> SamplingCondition { SamplingCondition(codes: codes, nullCodes: [3], weights: [w]) }
        let unconditional = sampler.sample(network, cells: 3, condition: asked([3, 3, 3], 1))
        XCTAssertEqual(sampler.sample(network, cells: 3, condition: asked(labels, 0)), unconditional)
        let conditional = sampler.sample(network, cells: 3, condition: asked(labels, 1))
        XCTAssertNotEqual(conditional, unconditional)
        XCTAssertNotEqual(sampler.sample(network, cells: 3, condition: asked(labels, 3)), conditional)
        var product = asked(labels, 1)
        product.composition = .product
        XCTAssertEqual(sampler.sample(network, cells: 3, condition: product), conditional, "one attribute: the compositions agree")
    }
}

/// Conditioning on several label attributes at once: codes, dropout per attribute, and the
/// two compositions of their guidance.
final class SeveralAttributesTests: XCTestCase {
    let attributes = LabelAttributes(columns: ["type", "donor"], classes: [["a", "b", "c"], ["d1", "d2"]])

    func testLabelsBecomeCodesWithLeftOutAttributesAsNoLabel() throws {
        XCTAssertEqual(try attributes.codes(of: ["type=b,donor=d2", "donor=d1", "type=c,donor=", "type=a"]),
                       [1, 1, 3, 0, 2, 2, 0, 2])
        XCTAssertThrowsError(try attributes.codes(of: ["type=z,donor=d1"])) { error in
            XCTAssertEqual((error as? TrainingError)?.description, "the label z is not one of the run's 3 type classes (a, b, c)")
        }
        XCTAssertThrowsError(try attributes.codes(of: ["b"]))   // names no column
        XCTAssertThrowsError(try attributes.codes(of: ["type=a,type=b"]))
        XCTAssertEqual(attributes.label(["b", "d2"]), "type=b,donor=d2")
        XCTAssertEqual(attributes.nullCodes, [3, 2])
    }

    func testValuesMayHoldCommas() throws {
        XCTAssertEqual(try CombinedLabel.values(in: "type=CD14+ Mono, classical,donor=3", columns: ["type", "donor"]),
                       ["CD14+ Mono, classical", "3"])
        XCTAssertEqual(try CombinedLabel.values(in: "x=1", columns: ["x"]), ["1"])
        XCTAssertEqual(try CombinedLabel.values(in: "B", columns: ["x"]), ["B"])
    }

    func testTheRunRecordsEachAttributeAndOldConfigsStillRead() throws {
        var config = try ConditionalTests.config(steps: 2)
        config.model.labelClasses = [3, 2]
        config.labelAttributes = attributes
        let json = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
        XCTAssertTrue(json.contains(#""labelNames":[["a","b","c"],["d1","d2"]]"#), json)
        XCTAssertTrue(json.contains(#""labelColumn":"type,donor""#), json)
        XCTAssertTrue(json.contains(#""classes":[3,2]"#), json)
        XCTAssertEqual(try JSONDecoder().decode(TrainingConfig.self, from: Data(json.utf8)), config)
        XCTAssertNoThrow(try config.checkStored())
        // A run with one column keeps the format runs had before several.
        let one = try ConditionalTests.config(steps: 2)
        let oneJSON = String(decoding: try JSONEncoder().encode(one), as: UTF8.self)
        XCTAssertTrue(oneJSON.contains(#""labelNames":["a","b","c"]"#) && oneJSON.contains(#""classes":3"#), oneJSON)
        XCTAssertEqual(try JSONDecoder().decode(TrainingConfig.self, from: Data(oneJSON.utf8)).labelAttributes?.classes, [["a", "b", "c"]])
        config.model.labelClasses = [3, 3]
        XCTAssertThrowsError(try config.checkStored())
    }

    func testATwoAttributeRunResumesBitForBit() throws {
        let directory = NSTemporaryDirectory() + "wbdit-attributes-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var config = try ConditionalTests.config(steps: 10)
        config.model.labelClasses = [3, 2]
        config.labelAttributes = attributes
        let (data, types) = ConditionalTests.cells()
        let labels = types.enumerated().map { i, type in i == 5 ? "type=\(type),donor=" : "type=\(type),donor=d\(i % 2 + 1)" }
        let whole = try Trainer.start(config: config, source: .matrix(data), labels: labels, runPath: directory + "/a").trainedLosses()
        let first = try Trainer.start(config: config, source: .matrix(data), labels: labels, runPath: directory + "/b")
        let head = first.trainedLosses(stopAt: 4)
        let tail = try Trainer.resume(runPath: directory + "/b", source: .matrix(data), labels: labels).trainedLosses()
        XCTAssertEqual(head + tail, whole)
        let checkpoint = try SafeTensorsFile(contentsOf: directory + "/b/checkpoints/step-10.safetensors")
        XCTAssertEqual(checkpoint.metadata["num_classes"], "3,2")
        XCTAssertEqual(try Checkpoint.load(directory + "/b/checkpoints/step-10.safetensors").config.labelClasses, [3, 2])
    }

    func testCompositions() throws {
        let model = try ModelConfig(architecture: .whiteBox, inputWidth: 12, patchSize: 3, hiddenSize: 16, depth: 1, heads: 2,
                                    labelClasses: [3, 2])
        let network = DiffusionTransformer(config: model, seed: 9)
        var generator = SeededGenerator(seed: 2)
        generator.fillNormal(network.parameters.trainable, count: network.parameters.layout.trainableCount, std: 0.1)
        let sampler = Sampler(settings: SamplerSettings(steps: 5, seed: 4))
        let codes: [Int32] = [0, 1, 2, 0, 1, 1]
        func sample(_ codes: [Int32], _ weights: [Double], _ composition: Guidance.Composition = .joint) -> [Float] {
            sampler.sample(network, cells: 3, condition: SamplingCondition(codes: codes, nullCodes: [3, 2], weights: weights,
                                                                            composition: composition))
        }
        let joint = sample(codes, [1, 1])
        let nothing = sample([3, 2, 3, 2, 3, 2], [1, 1])
        let typeOnly = sample([0, 2, 2, 2, 1, 2], [1, 1])
        XCTAssertNotEqual(joint, nothing)
        XCTAssertNotEqual(joint, typeOnly)
        // The product with weight 0 for every attribute is unconditional; with the donor's 0, the type's expert alone.
        XCTAssertEqual(sample(codes, [0, 0], .product), nothing)
        assertClose(sample(codes, [1, 0], .product), typeOnly)
        // Joint guidance above 1 moves away from the plain joint cells; the product differs from the joint.
        XCTAssertNotEqual(sample(codes, [3, 1]), joint)
        XCTAssertNotEqual(sample(codes, [1, 1], .product), joint)
    }

    private func assertClose(_ a: [Float], _ b: [Float], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        let worst = zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
        XCTAssertLessThan(worst, 1e-4, file: file, line: line)
    }
}
