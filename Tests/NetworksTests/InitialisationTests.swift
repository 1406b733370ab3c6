import Kernels
@testable import Networks
import TestSupport
import XCTest

final class InitialisationTests: XCTestCase {
    /// adaLN-Zero: a freshly initialised network predicts exactly zero noise.
    func testNewNetworkOutputsExactlyZero() throws {
        for architecture in Architecture.allCases {
            let config = try ModelConfig(architecture: architecture, inputWidth: 13, patchSize: 4, hiddenSize: 16, depth: 2, heads: 4)
            let network = DiffusionTransformer(config: config, seed: 3)
            let data = ToyBatch(batch: 2, genes: 13, seed: 1)
            let out = network.forward(x: data.x.constPointer, t: data.t.constPointer, batch: 2)
            XCTAssertTrue(UnsafeBufferPointer(start: out, count: 26).allSatisfy { $0 == 0 }, "\(architecture)")
            // …while the parts that are not zero-initialised are not.
            XCTAssertTrue(network.parameters.values("blocks.0.attn.qkv.weight").contains { $0 != 0 })
            XCTAssertTrue(network.parameters.values("t_embedder.mlp.0.weight").contains { $0 != 0 })
        }
    }

    /// pos_embed for D = 8 (quarter 2, ω = 1, 1/100): [0, 0, 1, 1, sin n, sin n/100, cos n, cos n/100].
    func testPositionEmbeddingLayout() {
        let out = FloatBuffer(count: 3 * 8)
        PositionEmbedding.fill(out.pointer, tokens: 3, width: 8)
        for n in 0..<3 {
            let x = Double(n)
            let expected: [Float] = [0, 0, 1, 1, Float(sin(x)), Float(sin(x / 100)), Float(cos(x)), Float(cos(x / 100))]
            XCTAssertEqual(Array(out.array[(8 * n)..<(8 * n + 8)]), expected, accuracy: 1e-7)
        }
    }

    func testLayoutNamesAndShapesFollowTheSpec() throws {
        let wb = ParameterLayout(config: try ModelConfig(architecture: .whiteBox, inputWidth: 2000, patchSize: 10,
                                                         hiddenSize: 768, depth: 3, heads: 8))
        XCTAssertEqual(wb.entry("x_embedder.proj.weight")?.shape, [768, 1, 10, 1])
        XCTAssertEqual(wb.entry("pos_embed")?.shape, [1, 200, 768])
        XCTAssertEqual(wb.entry("blocks.2.attn.qkv.weight")?.shape, [768, 768])
        XCTAssertEqual(wb.entry("blocks.2.attn.to_out.0.bias")?.shape, [768])
        XCTAssertEqual(wb.entry("blocks.2.mlp.weight")?.shape, [768, 768])
        XCTAssertEqual(wb.entry("final_layer.linear.weight")?.shape, [10, 768])
        XCTAssertNil(wb.entry("blocks.3.mlp.weight"))
        let dit = ParameterLayout(config: try ModelConfig(architecture: .dit, inputWidth: 2000, patchSize: 10,
                                                          hiddenSize: 768, depth: 3, heads: 8, labelClasses: [7]))
        XCTAssertEqual(dit.entry("blocks.0.attn.qkv.weight")?.shape, [2304, 768])
        XCTAssertEqual(dit.entry("blocks.0.mlp.fc1.weight")?.shape, [3072, 768])
        XCTAssertEqual(dit.entry("y_embedder.embedding_table.weight")?.shape, [8, 768])
        XCTAssertEqual(dit.entries.last?.name, "pos_embed", "the fixed tensor follows the trainable block")
        XCTAssertEqual(dit.trainableCount + 200 * 768, dit.totalCount)
    }

    func testInvalidConfigurationsAreRefused() {
        XCTAssertThrowsError(try ModelConfig(architecture: .whiteBox, inputWidth: 20, hiddenSize: 30, depth: 1, heads: 4))
        XCTAssertThrowsError(try ModelConfig(architecture: .whiteBox, inputWidth: 0, hiddenSize: 32, depth: 1, heads: 4))
        XCTAssertThrowsError(try ModelConfig(architecture: .dit, inputWidth: 20, hiddenSize: 32, depth: 0, heads: 4))
    }
}
