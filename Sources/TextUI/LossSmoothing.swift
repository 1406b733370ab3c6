/// The loss curve's smoothing: an exponential moving average corrected for its start
/// (as TensorBoard and Adam do), s_t = β s_{t−1} + (1 − β) x_t, shown as s_t / (1 − β^t).
public enum LossSmoothing {
    /// The strengths `+` and `-` step through.
    public static let strengths: [Double] = [0, 0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999]

    public static func smooth(_ values: [Double], strength beta: Double) -> [Double] {
        guard beta > 0 else { return values }
        var average = 0.0, weight = 1.0
        return values.map { x in
            average = beta * average + (1 - beta) * x
            weight *= beta
            return average / (1 - weight)
        }
    }
}
