import Kernels

/// The diffusion loss: the mean of (prediction − target)² over all entries, each row
/// (cell) optionally weighted — (1 / count) Σ_rows w_r Σ_row (prediction − target)² —
/// as min-SNR loss weighting needs.
public enum MeanSquaredError {
    /// The loss over `count` entries in rows of `rowLength`, accumulated in Double in a fixed order.
    public static func forward(prediction: ConstFloatPointer, target: ConstFloatPointer, count: Int,
                               rowWeights: ConstFloatPointer? = nil, rowLength: Int = 1) -> Double {
        var sum = 0.0
        for i in 0..<count {
            let d = Double(prediction[i]) - Double(target[i])
            sum += (rowWeights.map { Double($0[i / rowLength]) } ?? 1) * d * d
        }
        return sum / Double(count)
    }

    /// dprediction[i] ← 2 · w_row(i) · (prediction[i] − target[i]) / `normalizer` (the loss's entry count).
    public static func backward(dPrediction: FloatPointer, prediction: ConstFloatPointer,
                                target: ConstFloatPointer, count: Int, normalizer: Int,
                                rowWeights: ConstFloatPointer? = nil, rowLength: Int = 1) {
        let factor = 2 / Float(normalizer)
        Parallel.forEach(count, work: 2) { range in
            if let rowWeights {
                for i in range { dPrediction[i] = factor * rowWeights[i / rowLength] * (prediction[i] - target[i]) }
            } else {
                for i in range { dPrediction[i] = factor * (prediction[i] - target[i]) }
            }
        }
    }
}
