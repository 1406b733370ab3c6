import Foundation
import Kernels
import Networks
import TestSupport
import XCTest

final class CheckpointTests: XCTestCase {
    var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "wbdit-checkpoint-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    private func config(_ architecture: Architecture = .whiteBox) throws -> ModelConfig {
        try ModelConfig(architecture: architecture, inputWidth: 10, patchSize: 4, hiddenSize: 8, depth: 2, heads: 2, labelClasses: [2])
    }

    func testRoundTripKeepsEveryValueAndTheConfiguration() throws {
        for architecture in Architecture.allCases {
            let network = DiffusionTransformer.random(try config(architecture), seed: 5)
            let path = directory + "/\(architecture).safetensors"
            try Checkpoint.save(network, to: path, extraMetadata: ["step": "12"])
            let loaded = try Checkpoint.load(path)
            XCTAssertEqual(loaded.config, network.config)
            XCTAssertEqual(loaded.parameters.storage.array, network.parameters.storage.array)
            let file = try SafeTensorsFile(contentsOf: path)
            XCTAssertEqual(file.metadata["architecture"], architecture.rawValue)
            XCTAssertEqual(file.metadata["num_classes"], "2")
            XCTAssertEqual(file.metadata["step"], "12")
            XCTAssertEqual(Set(file.tensors.map(\.name)), Set(network.parameters.layout.entries.map(\.name)))
        }
    }

    func testAbsentPositionEmbeddingIsComputed() throws {
        let network = DiffusionTransformer(config: try config(), seed: 1)
        let path = try write(network, dropping: "pos_embed")
        XCTAssertEqual(try Checkpoint.load(path).parameters.values("pos_embed"), network.parameters.values("pos_embed"))
    }

    // MARK: - Bad files

    func testTruncatedFileIsRefused() throws {
        let path = directory + "/model.safetensors"
        try Checkpoint.save(DiffusionTransformer(config: try config(), seed: 1), to: path)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        for length in [0, 5, 20, data.count - 1] {
            try data.prefix(length).write(to: URL(fileURLWithPath: path))
            assertRefused(path, mentioning: length < 8 ? "shorter than" : "truncated")
        }
    }

    func testGarbageIsRefused() throws {
        let path = directory + "/garbage.safetensors"
        var bytes = Data([16, 0, 0, 0, 0, 0, 0, 0])
        bytes.append(Data("{\"a\": [1, 2, 3]}".utf8))
        try bytes.write(to: URL(fileURLWithPath: path))
        assertRefused(path, mentioning: "lacks dtype")
        try Data("not a checkpoint at all".utf8).write(to: URL(fileURLWithPath: path))
        assertRefused(path, mentioning: "not a valid safetensors file")
        assertRefused(directory + "/absent.safetensors", mentioning: "no such file")
    }

    func testMissingExtraAndMisshapenTensorsAreNamed() throws {
        let network = DiffusionTransformer(config: try config(), seed: 1)
        assertRefused(try write(network, dropping: "blocks.1.mlp.weight"), mentioning: "missing blocks.1.mlp.weight")
        assertRefused(try write(network, adding: ("blocks.9.mlp.weight", .f32, [8, 8])), mentioning: "unexpected blocks.9.mlp.weight")
        assertRefused(try write(network, replacing: ("blocks.0.attn.qkv.weight", .f32, [24, 8])),
                      mentioning: "blocks.0.attn.qkv.weight has shape [24, 8], expected [8, 8]")
        assertRefused(try write(network, replacing: ("final_layer.linear.bias", .f64, [4])),
                      mentioning: "final_layer.linear.bias has dtype F64, expected F32")
    }

    func testMetadataThatDisagreesWithTheTensorsIsRefused() throws {
        let network = DiffusionTransformer(config: try config(), seed: 1)
        let path = directory + "/model.safetensors"
        try Checkpoint.save(network, to: path, extraMetadata: [:])
        // Claim a DiT: every block tensor is then wrong.
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        let claim = try XCTUnwrap(data.range(of: Data("\"architecture\":\"wbdit\"".utf8)))
        data.replaceSubrange(claim, with: Data("\"architecture\":\"dit\"  ".utf8))
        try data.write(to: URL(fileURLWithPath: path))
        assertRefused(path, mentioning: "missing blocks.0.attn.qkv.bias")

        var writer = SafeTensorsWriter()
        writer.add("x", shape: [1], floats: [1])
        try writer.write(to: path)
        assertRefused(path, mentioning: "has no architecture in its metadata")
    }

    func testNonFiniteWeightsAreRefused() throws {
        let network = DiffusionTransformer(config: try config(), seed: 1)
        network.parameters.pointer("blocks.0.mlp.weight")[3] = .nan
        let path = directory + "/nan.safetensors"
        try Checkpoint.save(network, to: path)
        assertRefused(path, mentioning: "blocks.0.mlp.weight holds nan at element 3")
    }

    func testWritingIntoAMissingDirectoryFailsWithoutLeavingFiles() throws {
        let network = DiffusionTransformer(config: try config(), seed: 1)
        XCTAssertThrowsError(try Checkpoint.save(network, to: directory + "/no/such/dir/model.safetensors")) {
            XCTAssertTrue(String(describing: $0).contains("No such file or directory"), "\($0)")
        }
    }

    func testAnOverwriteIsAtomic() throws {
        let path = directory + "/model.safetensors"
        let first = DiffusionTransformer.random(try config(), seed: 1)
        let second = DiffusionTransformer.random(try config(), seed: 2)
        try Checkpoint.save(first, to: path)
        try Checkpoint.save(second, to: path)
        XCTAssertEqual(try Checkpoint.load(path).parameters.storage.array, second.parameters.storage.array)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["model.safetensors"],
                       "no temporary file is left behind")
    }

    // MARK: - Helpers

    private func assertRefused(_ path: String, mentioning text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try Checkpoint.load(path), file: file, line: line) { error in
            let message = String(describing: error)
            XCTAssertTrue(message.contains(text), "“\(message)” does not mention “\(text)”", file: file, line: line)
            XCTAssertFalse(message.contains("\n"), "errors are one line", file: file, line: line)
        }
    }

    /// Writes the network's tensors with one dropped, added or replaced by zeros of another shape or dtype.
    private func write(_ network: DiffusionTransformer, dropping: String? = nil,
                       adding: (String, TensorDType, [Int])? = nil,
                       replacing: (String, TensorDType, [Int])? = nil) throws -> String {
        var writer = SafeTensorsWriter(metadata: Checkpoint.metadata(for: network.config))
        for entry in network.parameters.layout.entries where entry.name != dropping {
            if let (name, dtype, shape) = replacing, name == entry.name {
                writer.add(name, dtype: dtype, shape: shape, bytes: Data(count: shape.reduce(1, *) * dtype.size))
            } else {
                writer.add(entry.name, shape: entry.shape, floats: network.parameters.storage.pointer + entry.offset)
            }
        }
        if let (name, dtype, shape) = adding {
            writer.add(name, dtype: dtype, shape: shape, bytes: Data(count: shape.reduce(1, *) * dtype.size))
        }
        let path = directory + "/edited-\(UUID().uuidString).safetensors"
        try writer.write(to: path)
        return path
    }
}
