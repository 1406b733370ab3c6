import Kernels

/// The diffusion loss: the mean of (prediction − target)² over all entries.
public enum MeanSquaredError {
    /// The loss over `count` entries, accumulated in Double in a fixed order.
    public static func forward(prediction: ConstFloatPointer, target: ConstFloatPointer, count: Int) -> Double {
        var sum = 0.0
        for i in 0..<count {
            let d = Double(prediction[i]) - Double(target[i])
            sum += d * d
        }
        return sum / Double(count)
    }

    /// dprediction[i] ← 2 · (prediction[i] − target[i]) / `normalizer` (the loss's entry count).
    public static func backward(dPrediction: FloatPointer, prediction: ConstFloatPointer,
                                target: ConstFloatPointer, count: Int, normalizer: Int) {
        let factor = 2 / Float(normalizer)
        Parallel.forEach(count, work: 2) { range in
            for i in range { dPrediction[i] = factor * (prediction[i] - target[i]) }
        }
    }
}
