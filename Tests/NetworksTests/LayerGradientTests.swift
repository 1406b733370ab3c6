import Kernels
@testable import Networks
import TestSupport
import XCTest

/// Finite-difference checks of every layer's hand-written backward pass. Each test
/// takes the loss Σ out · R for a random R, so the gradient w.r.t. the output is R.
final class LayerGradientTests: XCTestCase {
    var generator = SeededGenerator(seed: 42)

    override func setUp() { Threads.configure(2) }

    func testLinear() {
        let (rows, inF, outF) = (5, 6, 4)
        let x = FloatBuffer.random(rows * inF, generator: &generator)
        let w = FloatBuffer.random(outF * inF, std: 0.5, generator: &generator)
        let b = FloatBuffer.random(outF, generator: &generator)
        let y = FloatBuffer(count: rows * outF)
        let r = randomArray(rows * outF, generator: &generator)
        let loss = { () -> Double in
            Linear.forward(y: y.pointer, x: x.constPointer, weight: w.constPointer, bias: b.constPointer,
                           rows: rows, inFeatures: inF, outFeatures: outF)
            return weightedSum(y.constPointer, r)
        }
        let dx = FloatBuffer(count: rows * inF), dw = FloatBuffer(count: outF * inF), db = FloatBuffer(count: outF)
        _ = loss()
        r.withUnsafeBufferPointer {
            Linear.backward(dx: dx.pointer, dWeight: dw.pointer, dBias: db.pointer, dy: $0.baseAddress!,
                            x: x.constPointer, weight: w.constPointer, rows: rows, inFeatures: inF, outFeatures: outF)
        }
        assertGradient("dx", values: x.pointer, count: x.count, analytic: dx.array, loss: loss)
        assertGradient("dW", values: w.pointer, count: w.count, analytic: dw.array, loss: loss)
        assertGradient("db", values: b.pointer, count: b.count, analytic: db.array, loss: loss)
    }

    func testAdaptiveLayerNorm() {
        let (batch, tokens, width, stride) = (2, 3, 20, 40)   // width 20: one vector of 16 and a tail of 4
        let x = FloatBuffer.random(batch * tokens * width, std: 2, generator: &generator)
        let condition = FloatBuffer.random(batch * stride, generator: &generator)   // shift | scale per cell
        let (shift, scale) = (condition.pointer, condition.pointer + width)
        let out = FloatBuffer(count: x.count), mean = FloatBuffer(count: 6), rstd = FloatBuffer(count: 6)
        let r = randomArray(x.count, generator: &generator)
        let loss = { () -> Double in
            AdaptiveLayerNorm.forward(out: out.pointer, mean: mean.pointer, rstd: rstd.pointer, x: x.constPointer,
                                      shift: shift, scale: scale, conditionStride: stride,
                                      batch: batch, tokens: tokens, width: width)
            return weightedSum(out.constPointer, r)
        }
        _ = loss()
        let dx = FloatBuffer(count: x.count), dCondition = FloatBuffer(count: condition.count)
        r.withUnsafeBufferPointer {
            AdaptiveLayerNorm.backward(dx: dx.pointer, dShift: dCondition.pointer, dScale: dCondition.pointer + width,
                                       dout: $0.baseAddress!, x: x.constPointer, mean: mean.constPointer,
                                       rstd: rstd.constPointer, scale: scale, conditionStride: stride,
                                       batch: batch, tokens: tokens, width: width)
        }
        assertGradient("dx", values: x.pointer, count: x.count, analytic: dx.array, limit: 40, loss: loss)
        assertGradient("dshift, dscale", values: condition.pointer, count: condition.count,
                       analytic: dCondition.array, limit: 40, loss: loss)
    }

    /// Each row is normalised to mean 0 and variance 1 before modulation.
    func testAdaptiveLayerNormNormalises() {
        let (tokens, width) = (2, 5)
        let x = FloatBuffer([1, 2, 3, 4, 5, -3, 0, 3, 6, 9])
        let zero = FloatBuffer(count: 2 * width)
        let out = FloatBuffer(count: 10), mean = FloatBuffer(count: 2), rstd = FloatBuffer(count: 2)
        AdaptiveLayerNorm.forward(out: out.pointer, mean: mean.pointer, rstd: rstd.pointer, x: x.constPointer,
                                  shift: zero.constPointer, scale: zero.constPointer, conditionStride: 0,
                                  batch: 1, tokens: tokens, width: width)
        let unit = (-2...2).map { Float(Double($0) / 2.0.squareRoot() * (2 / (2 + 1e-6)).squareRoot()) }
        XCTAssertEqual(Array(out.array[0..<5]), unit, accuracy: 1e-5)
        XCTAssertEqual(Array(out.array[5..<10]), unit, accuracy: 1e-5)
        XCTAssertEqual(mean.array, [3, 3])
    }

    func testGatedResidual() {
        let (batch, tokens, width, stride) = (2, 3, 4, 12)
        let x = FloatBuffer.random(batch * tokens * width, generator: &generator)
        let f = FloatBuffer.random(batch * tokens * width, generator: &generator)
        let gates = FloatBuffer.random(batch * stride, generator: &generator)
        let out = FloatBuffer(count: x.count)
        let r = randomArray(x.count, generator: &generator)
        let loss = { () -> Double in
            GatedResidual.forward(out: out.pointer, x: x.constPointer, f: f.constPointer, gate: gates.constPointer,
                                  conditionStride: stride, batch: batch, tokens: tokens, width: width)
            return weightedSum(out.constPointer, r)
        }
        _ = loss()
        let df = FloatBuffer(count: x.count), dGates = FloatBuffer(count: gates.count)
        r.withUnsafeBufferPointer {
            GatedResidual.backward(df: df.pointer, dGate: dGates.pointer, dx: $0.baseAddress!, f: f.constPointer,
                                   gate: gates.constPointer, conditionStride: stride,
                                   batch: batch, tokens: tokens, width: width)
        }
        assertGradient("df", values: f.pointer, count: f.count, analytic: df.array, loss: loss)
        // Only the first `width` of each cell's `stride` values are gates.
        let gateIndices = (0..<batch).flatMap { b in (0..<width).map { b * stride + $0 } }
        let result = GradientCheck().compare(values: gates.pointer, analytic: dGates.array, indices: gateIndices, loss: loss)
        XCTAssertLessThanOrEqual(result.relative, 2e-2, "dgate: \(result)")
        // The residual passes its gradient through unchanged: d out / d x = identity.
        assertGradient("dx", values: x.pointer, count: x.count, analytic: r, loss: loss)
    }

    func testSiLUAndGELU() {
        let count = 40
        let x = FloatBuffer.random(count, std: 2, generator: &generator)
        let out = FloatBuffer(count: count), dx = FloatBuffer(count: count)
        let slope = FloatBuffer(count: count)   // GELU's input, then its slope
        let r = randomArray(count, generator: &generator)
        for (name, forward, backward) in [
            ("SiLU", SiLU.forward, { SiLU.backward(dx: $0, dout: $1, x: $2, count: $3) }),
            ("GELU", { out, x, count in
                slope.pointer.update(from: x, count: count)
                GELU.forward(out: out, slope: slope.pointer, span: 0..<count)
            }, { dx, dout, _, count in GELU.backward(dx: dx, dout: dout, slope: slope.constPointer, span: 0..<count) }),
        ] as [(String, (FloatPointer, ConstFloatPointer, Int) -> Void, (FloatPointer, ConstFloatPointer, ConstFloatPointer, Int) -> Void)] {
            let loss = { () -> Double in forward(out.pointer, x.constPointer, count); return weightedSum(out.constPointer, r) }
            _ = loss()   // the forward pass the backward pass follows
            r.withUnsafeBufferPointer { backward(dx.pointer, $0.baseAddress!, x.constPointer, count) }
            assertGradient(name, values: x.pointer, count: count, analytic: dx.array,
                           check: GradientCheck(step: 1e-3, tolerance: 1e-2), limit: count, loss: loss)
        }
    }

    func testGELUMatchesItsDefinitionAtKnownPoints() {
        let x = FloatBuffer([0, 1, -1, 3]), out = FloatBuffer(count: 4)
        GELU.forward(out: out.pointer, slope: x.pointer, span: 0..<4)
        // 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))) and its derivative, worked in Double
        XCTAssertEqual(out.array, [0, 0.841192, -0.158808, 2.996363], accuracy: 1e-5)
        XCTAssertEqual(x.array, [0.5, 1.082964, -0.082964, 1.011584], accuracy: 1e-5)
    }

    func testSelfAttention() {
        let shape = AttentionShape(batch: 2, tokens: 5, heads: 2, width: 8)
        let rows = shape.batch * shape.tokens
        let qkv = FloatBuffer.random(rows * 3 * shape.width, generator: &generator)
        let out = FloatBuffer(count: rows * shape.width), probs = FloatBuffer(count: shape.probabilityCount)
        let r = randomArray(out.count, generator: &generator)
        let loss = { () -> Double in
            SelfAttention.forward(out: out.pointer, probabilities: probs.pointer, qkv: qkv.constPointer, shape: shape)
            return weightedSum(out.constPointer, r)
        }
        _ = loss()
        let dqkv = FloatBuffer(count: qkv.count), scratch = FloatBuffer(count: shape.probabilityCount)
        r.withUnsafeBufferPointer {
            SelfAttention.backward(dqkv: dqkv.pointer, dout: $0.baseAddress!, qkv: qkv.constPointer,
                                   probabilities: probs.constPointer, scratch: scratch.pointer, shape: shape)
        }
        assertGradient("dqkv", values: qkv.pointer, count: qkv.count, analytic: dqkv.array,
                       check: GradientCheck(step: 1e-3, tolerance: 1e-2), limit: 60, loss: loss)
    }

    func testSubspaceAttention() {
        let shape = AttentionShape(batch: 2, tokens: 5, heads: 2, width: 8)
        let rows = shape.batch * shape.tokens
        let w = FloatBuffer.random(rows * shape.width, generator: &generator)
        let out = FloatBuffer(count: w.count), probs = FloatBuffer(count: shape.probabilityCount)
        let r = randomArray(out.count, generator: &generator)
        let loss = { () -> Double in
            SubspaceAttention.forward(out: out.pointer, probabilities: probs.pointer, w: w.constPointer, shape: shape)
            return weightedSum(out.constPointer, r)
        }
        _ = loss()
        let dw = FloatBuffer(count: w.count), scratch = FloatBuffer(count: shape.probabilityCount)
        r.withUnsafeBufferPointer {
            SubspaceAttention.backward(dw: dw.pointer, dout: $0.baseAddress!, w: w.constPointer,
                                       probabilities: probs.constPointer, scratch: scratch.pointer, shape: shape)
        }
        assertGradient("dw", values: w.pointer, count: w.count, analytic: dw.array,
                       check: GradientCheck(step: 1e-3, tolerance: 1e-2), limit: 80, loss: loss)
    }

    func testAttentionRowsAreProbabilities() {
        let shape = AttentionShape(batch: 1, tokens: 6, heads: 3, width: 6)
        let w = FloatBuffer.random(6 * 6, std: 3, generator: &generator)
        let out = FloatBuffer(count: w.count), probs = FloatBuffer(count: shape.probabilityCount)
        SubspaceAttention.forward(out: out.pointer, probabilities: probs.pointer, w: w.constPointer, shape: shape)
        for row in 0..<(shape.heads * shape.tokens) {
            let sum = (0..<6).reduce(Float(0)) { $0 + probs[row * 6 + $1] }
            XCTAssertEqual(sum, 1, accuracy: 1e-6)
        }
    }

    func testISTA() {
        let (rows, width) = (6, 8)
        let z = FloatBuffer.random(rows * width, generator: &generator)
        let w = FloatBuffer.random(width * width, std: 0.5, generator: &generator)
        let out = FloatBuffer(count: z.count), u = FloatBuffer(count: z.count)
        let r = randomArray(z.count, generator: &generator)
        let loss = { () -> Double in
            ISTA.forward(out: out.pointer, residual: u.pointer, z: z.constPointer, dictionary: w.constPointer,
                         rows: rows, width: width)
            return weightedSum(out.constPointer, r)
        }
        _ = loss()
        let dz = FloatBuffer(count: z.count), dw = FloatBuffer(count: w.count)
        let g = FloatBuffer(count: z.count), du = FloatBuffer(count: z.count)
        r.withUnsafeBufferPointer {
            ISTA.backward(dz: dz.pointer, dDictionary: dw.pointer, dout: $0.baseAddress!, out: out.constPointer,
                          residual: u.constPointer, z: z.constPointer, dictionary: w.constPointer,
                          preactivation: g.pointer, du: du.pointer, rows: rows, width: width)
        }
        let check = GradientCheck(step: 1e-3, tolerance: 1e-2)
        assertGradient("dz", values: z.pointer, count: z.count, analytic: dz.array, check: check, loss: loss)
        assertGradient("dW", values: w.pointer, count: w.count, analytic: dw.array, check: check, loss: loss)
    }

    /// ISTA(z) = ReLU(z + η(zW − (zWᵀ)W) − ηλ), evaluated literally with the naive product.
    func testISTAMatchesTheLiteralFormula() {
        let (rows, width) = (3, 4)
        let z = FloatBuffer.random(rows * width, generator: &generator)
        let w = FloatBuffer.random(width * width, generator: &generator)
        let out = FloatBuffer(count: z.count), u = FloatBuffer(count: z.count)
        ISTA.forward(out: out.pointer, residual: u.pointer, z: z.constPointer, dictionary: w.constPointer,
                     rows: rows, width: width)
        let zW = FloatBuffer(count: z.count), zWt = FloatBuffer(count: z.count), zWtW = FloatBuffer(count: z.count)
        Matmul.naive(.none, .none, m: rows, n: width, k: width, a: z.constPointer, lda: width,
                     b: w.constPointer, ldb: width, c: zW.pointer, ldc: width)
        Matmul.naive(.none, .transposed, m: rows, n: width, k: width, a: z.constPointer, lda: width,
                     b: w.constPointer, ldb: width, c: zWt.pointer, ldc: width)
        Matmul.naive(.none, .none, m: rows, n: width, k: width, a: zWt.constPointer, lda: width,
                     b: w.constPointer, ldb: width, c: zWtW.pointer, ldc: width)
        let expected = (0..<z.count).map { max(0, z[$0] + 0.1 * (zW[$0] - zWtW[$0]) - 0.01) }
        XCTAssertLessThan(relativeDifference(out.array, expected), 1e-6)
        XCTAssertTrue(out.array.contains(0), "the ReLU should clip some entries")
    }

    func testMeanSquaredError() {
        let p = FloatBuffer.random(12, generator: &generator), target = FloatBuffer.random(12, generator: &generator)
        let loss = { MeanSquaredError.forward(prediction: p.constPointer, target: target.constPointer, count: 12) }
        let dp = FloatBuffer(count: 12)
        MeanSquaredError.backward(dPrediction: dp.pointer, prediction: p.constPointer, target: target.constPointer,
                                  count: 12, normalizer: 12)
        assertGradient("dprediction", values: p.pointer, count: 12, analytic: dp.array,
                       check: GradientCheck(step: 1e-3, tolerance: 1e-3), loss: loss)
    }

    /// Min-SNR weighting: each row (cell) of 4 entries weighted by its own factor.
    func testRowWeightedMeanSquaredError() {
        let p = FloatBuffer.random(12, generator: &generator), target = FloatBuffer.random(12, generator: &generator)
        let weights = FloatBuffer(count: 3)
        (weights[0], weights[1], weights[2]) = (0.25, 1, 3)
        let loss = { MeanSquaredError.forward(prediction: p.constPointer, target: target.constPointer, count: 12,
                                              rowWeights: weights.constPointer, rowLength: 4) }
        let expected = (0..<12).map { Double(weights[$0 / 4]) * pow(Double(p[$0] - target[$0]), 2) }.reduce(0, +) / 12
        XCTAssertEqual(loss(), expected, accuracy: 1e-6)
        let dp = FloatBuffer(count: 12)
        MeanSquaredError.backward(dPrediction: dp.pointer, prediction: p.constPointer, target: target.constPointer,
                                  count: 12, normalizer: 12, rowWeights: weights.constPointer, rowLength: 4)
        assertGradient("dprediction", values: p.pointer, count: 12, analytic: dp.array,
                       check: GradientCheck(step: 1e-3, tolerance: 1e-3), loss: loss)
    }
}

func XCTAssertEqual(_ a: [Float], _ b: [Float], accuracy: Float, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}
