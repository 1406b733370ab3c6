import Kernels

/// Central finite differences against an analytic gradient, in Float32 with the
/// loss accumulated in Double.
public struct GradientCheck {
    /// Step size relative to max(1, |value|).
    public var step: Float = 1e-2
    /// Largest allowed |numeric − analytic| over the checked entries, relative to the
    /// largest analytic magnitude among them.
    public var tolerance: Float = 2e-2

    public init(step: Float = 1e-2, tolerance: Float = 2e-2) {
        self.step = step
        self.tolerance = tolerance
    }

    public struct Result: CustomStringConvertible {
        public let worst: Float
        public let scale: Float
        public let checked: Int
        public var relative: Float { worst / max(scale, 1e-6) }
        public var description: String { "worst |numeric − analytic| \(worst) against scale \(scale) over \(checked) entries" }
    }

    /// Perturbs `values[i]` for each i in `indices` (restoring it after) and compares
    /// (loss(+h) − loss(−h)) / 2h with `analytic[i]`.
    public func compare(values: FloatPointer, analytic: [Float], indices: [Int], loss: () -> Double) -> Result {
        var worst: Float = 0, scale: Float = 0
        for i in indices {
            let original = values[i]
            let h = step * max(1, abs(original))
            values[i] = original + h
            let plus = loss()
            values[i] = original - h
            let minus = loss()
            values[i] = original
            let numeric = Float((plus - minus) / (2 * Double(h)))
            worst = max(worst, abs(numeric - analytic[i]))
            scale = max(scale, abs(analytic[i]))
        }
        return Result(worst: worst, scale: scale, checked: indices.count)
    }

    /// Up to `limit` indices of 0..<count, spread evenly (all of them when count ≤ limit).
    public static func sample(_ count: Int, limit: Int = 24) -> [Int] {
        count <= limit ? Array(0..<count) : (0..<limit).map { $0 * count / limit }
    }
}

/// Σ values[i] · weights[i] in Double: a scalar loss whose gradient w.r.t. `values` is `weights`.
public func weightedSum(_ values: ConstFloatPointer, _ weights: [Float]) -> Double {
    var sum = 0.0
    for i in weights.indices { sum += Double(values[i]) * Double(weights[i]) }
    return sum
}

import XCTest

/// Asserts that `analytic` is the gradient of `loss` w.r.t. `values` on a sample of entries.
public func assertGradient(_ name: String, values: FloatPointer, count: Int, analytic: [Float],
                           check: GradientCheck = GradientCheck(), limit: Int = 24,
                           loss: () -> Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(analytic.count, count, "\(name): gradient size", file: file, line: line)
    let result = check.compare(values: values, analytic: analytic,
                               indices: GradientCheck.sample(count, limit: limit), loss: loss)
    XCTAssertGreaterThan(result.scale, 0, "\(name): the analytic gradient is all zero", file: file, line: line)
    XCTAssertLessThanOrEqual(result.relative, check.tolerance, "\(name): \(result)", file: file, line: line)
}
