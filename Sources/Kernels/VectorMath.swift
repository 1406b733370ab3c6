import CKernels

/// Reductions and transcendental functions over contiguous Float32 runs, written with
/// explicit 16-wide SIMD so that they vectorise (the compiler may not reorder a scalar
/// floating-point sum). Each result depends only on the input, never on threading.
///
/// Only operations that map to baseline x86-64 vector instructions are used (multiply,
/// add, compare-and-select, integer add and shift): no fused multiply-add, lane-wise
/// rounding or float-to-integer conversion, which the generic build would call per lane.
public enum VectorMath {
    public typealias Vector = SIMD16<Float>
    public static let width = Vector.scalarCount

    /// The 16 floats at `p` (no alignment needed).
    @inlinable @inline(__always)
    public static func load(_ p: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(p).loadUnaligned(as: Vector.self)
    }

    /// Writes 16 floats at `p` (no alignment needed).
    @inlinable @inline(__always)
    public static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self)
    }

    /// Σ x[i].
    @inline(__always)
    public static func sum(_ x: UnsafePointer<Float>, count n: Int) -> Float {
        var acc = Vector(), i = 0
        while i + width <= n { acc += load(x + i); i += width }
        var s = acc.sum()
        while i < n { s += x[i]; i += 1 }
        return s
    }

    /// Σ x[i] · y[i].
    @inline(__always)
    public static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count n: Int) -> Float {
        var acc = Vector(), i = 0
        while i + width <= n { acc += load(x + i) * load(y + i); i += width }
        var s = acc.sum()
        while i < n { s += x[i] * y[i]; i += 1 }
        return s
    }

    /// Σ x[i]², each square and the sum in Double (the AVX-512 kernel sums in 32 lanes,
    /// the portable loop in order).
    @inline(__always)
    public static func sumOfSquares(_ x: UnsafePointer<Float>, count n: Int) -> Double {
        if KernelChoice.usesAVX512 { return wbdit_sum_of_squares(x, n) }
        var sum = 0.0
        for i in 0..<n { sum += Double(x[i]) * Double(x[i]) }
        return sum
    }

    /// Σ (x[i] − mean)².
    @inline(__always)
    public static func squaredDeviation(_ x: UnsafePointer<Float>, mean: Float, count n: Int) -> Float {
        var acc = Vector(), i = 0
        let m = Vector(repeating: mean)
        while i + width <= n { let d = load(x + i) - m; acc += d * d; i += width }
        var s = acc.sum()
        while i < n { let d = x[i] - mean; s += d * d; i += 1 }
        return s
    }

    /// max x[i] (−∞ for an empty run).
    @inline(__always)
    public static func maximum(_ x: UnsafePointer<Float>, count n: Int) -> Float {
        var acc = Vector(repeating: -.infinity), i = 0
        while i + width <= n { let v = load(x + i); acc.replace(with: v, where: v .> acc); i += width }
        var m = acc.max()
        while i < n { m = Swift.max(m, x[i]); i += 1 }
        return m
    }

    /// In place: x[i] ← exp(x[i] − shift); returns Σ of the new values.
    @inline(__always)
    public static func exponentiate(_ x: UnsafeMutablePointer<Float>, subtracting shift: Float, count n: Int) -> Float {
        var acc = Vector(), i = 0
        let s = Vector(repeating: shift)
        while i + width <= n {
            let e = exp(load(x + i) - s)
            store(e, x + i)
            acc += e
            i += width
        }
        var total = acc.sum()
        if i < n {
            // The tail through the same vector code, so every element is computed alike.
            var tail = Vector(repeating: -.infinity)
            for j in i..<n { tail[j - i] = x[j] - shift }
            let e = exp(tail)
            for j in i..<n { x[j] = e[j - i]; total += e[j - i] }
        }
        return total
    }

    /// e^x for each lane: Cody–Waite range reduction x = k·ln 2 + r, |r| ≤ ½ ln 2, and
    /// Cephes' degree-6 polynomial for e^r; within 2 ulp of the true value for
    /// x ∈ [−87.3, 88.7]; 0 below (−∞ gives 0), +∞ above.
    @inline(__always)
    public static func exp(_ x: Vector) -> Vector {
        let low = Vector(repeating: -87.33654), high = Vector(repeating: 88.72283)
        var clamped = x.replacing(with: low, where: x .< low)
        clamped.replace(with: high, where: clamped .> high)
        // k = round(x / ln 2) by the 1.5·2²³ trick: the sum's low mantissa bits hold k.
        let magic = Vector(repeating: 12_582_912)
        let shifted = clamped * 1.442695040888963 + magic
        let k = shifted - magic
        let r = clamped - k * 0.693359375 + k * 2.12194440e-4
        var p = Vector(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        p = p * (r * r) + r + 1
        let kBits = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- 0x4B40_0000
        let twoToK = unsafeBitCast((kBits &+ 127) &<< 23, to: Vector.self)
        var result = p * twoToK
        result.replace(with: 0, where: x .< low)
        result.replace(with: .infinity, where: x .> high)
        return result
    }

    /// tanh for each lane, as 1 − 2 / (e^{2x} + 1): within 2e-7 of the true value (absolute).
    @inline(__always)
    public static func tanh(_ x: Vector) -> Vector {
        1 - 2 / (exp(x + x) + 1)
    }

    /// (out1[i], out2[i]) ← f(a[i]) for the elements `span`, on the calling thread (a band
    /// of the product that wrote them, say), in one pass; out1 or out2 may be a. Vectors
    /// run from `span.lowerBound`; the last one goes through `f` zero-padded, so every
    /// element is computed alike.
    @inline(__always)
    public static func map(_ span: Range<Int>, _ a: UnsafePointer<Float>,
                           into out1: UnsafeMutablePointer<Float>, _ out2: UnsafeMutablePointer<Float>,
                           _ f: (Vector) -> (Vector, Vector)) {
        var i = span.lowerBound
        while i + width <= span.upperBound {
            let (r1, r2) = f(load(a + i))
            store(r1, out1 + i)
            store(r2, out2 + i)
            i += width
        }
        guard i < span.upperBound else { return }
        var x = Vector()
        for j in i..<span.upperBound { x[j - i] = a[j] }
        let (r1, r2) = f(x)
        for j in i..<span.upperBound { out1[j] = r1[j - i]; out2[j] = r2[j - i] }
    }

    /// out[i] ← f(a[i], b[i]) for the elements `span`, on the calling thread, as above
    /// (out may be a or b).
    @inline(__always)
    public static func map(_ span: Range<Int>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                           into out: UnsafeMutablePointer<Float>, _ f: (Vector, Vector) -> Vector) {
        var i = span.lowerBound
        while i + width <= span.upperBound {
            store(f(load(a + i), load(b + i)), out + i)
            i += width
        }
        guard i < span.upperBound else { return }
        var x = Vector(), y = Vector()
        for j in i..<span.upperBound { x[j - i] = a[j]; y[j - i] = b[j] }
        let result = f(x, y)
        for j in i..<span.upperBound { out[j] = result[j - i] }
    }
}
