import Foundation

/// The discrete Fourier transform of n complex values, n a product of 2s, 3s and 5s, in
/// place: X_k = Σ_j x_j e^(∓2πi·jk/n), the minus sign forward. The inverse is left unscaled
/// (divide by n), as FFTW leaves it. Real and imaginary parts live in separate arrays;
/// `transform2D` runs over a square grid.
///
/// The mixed-radix Cooley–Tukey algorithm, decimation in time: the input is put in
/// digit-reversed order, then each stage joins r transforms of length L into one of length
/// L·r (radix 4 while it divides, then 2, 3 and 5), by twiddling input q of each group by
/// w^(j·q), w = e^(∓2πi/(L·r)), and taking an r-point transform across them. Sizes other
/// than powers of two keep zero-padded grids near the size asked for (a t-SNE map needing
/// 1422 points a side takes 1440, not 2048: 2.0 times fewer grid points).
public struct FastFourierTransform: Sendable {
    public let count: Int
    /// The radices, innermost stage first.
    private let radices: [Int]
    /// Stage s's twiddles w^(j·q) for j < L, q < r, at `twiddleStart[s]` + j·r + q.
    private let twiddleRe: [Double], twiddleIm: [Double]
    private let twiddleStart: [Int]
    /// Where each position of the working order reads its input from.
    private let order: [Int32]

    public init(count: Int) {
        precondition(count >= 1 && Self.factors(count) != nil, "FastFourierTransform: the count must be a product of 2s, 3s and 5s")
        self.count = count
        radices = Self.factors(count)!
        var (twiddleRe, twiddleIm, twiddleStart) = ([Double](), [Double](), [Int]())
        var length = 1
        for r in radices {
            twiddleStart.append(twiddleRe.count)
            for j in 0..<length {
                for q in 0..<r {
                    let angle = -2 * Double.pi * Double(j * q) / Double(length * r)
                    twiddleRe.append(cos(angle))
                    twiddleIm.append(sin(angle))
                }
            }
            length *= r
        }
        (self.twiddleRe, self.twiddleIm, self.twiddleStart) = (twiddleRe, twiddleIm, twiddleStart)
        order = Self.digitReversal(count, radices[...]).map(Int32.init)
    }

    /// The radices of n, largest stages first where they divide (4s, then 2, 3, 5), or nil
    /// when n has another prime factor.
    static func factors(_ n: Int) -> [Int]? {
        var (rest, radices) = (n, [Int]())
        for r in [4, 2, 3, 5] { while rest % r == 0 { radices.append(r); rest /= r } }
        return rest == 1 ? radices : nil
    }

    /// The input index each working position takes: the outermost stage's r sub-transforms
    /// each read every r-th input, recursively.
    private static func digitReversal(_ n: Int, _ radices: ArraySlice<Int>) -> [Int] {
        guard let r = radices.last else { return [0] }
        let inner = digitReversal(n / r, radices.dropLast())
        return (0..<r).flatMap { q in inner.map { q + r * $0 } }
    }

    /// The smallest product of 2s, 3s and 5s at least `n`.
    public static func size(atLeast n: Int) -> Int {
        var size = max(1, n)
        while factors(size) == nil { size += 1 }
        return size
    }

    /// Transforms `count` values in place.
    public func transform(re: UnsafeMutablePointer<Double>, im: UnsafeMutablePointer<Double>, inverse: Bool = false) {
        let scratch = UnsafeMutablePointer<Double>.allocate(capacity: 2 * count)
        defer { scratch.deallocate() }
        transform(re: re, im: im, stride: 1, width: 1, inverse: inverse, scratch: scratch)
    }

    /// Transforms `width` interleaved sequences at once: element i of sequence c is at
    /// i·stride + c. Each butterfly runs over the `width` values together, so a grid's
    /// columns transform as vectors of whole row pieces. `scratch` holds 2·count·width values.
    private func transform(re: UnsafeMutablePointer<Double>, im: UnsafeMutablePointer<Double>, stride: Int, width: Int,
                           inverse: Bool, scratch: UnsafeMutablePointer<Double>) {
        let n = count
        guard n > 1 else { return }
        // Into digit-reversed order, through the scratch space.
        let (sr, si) = (scratch, scratch + n * width)
        order.withUnsafeBufferPointer { order in
            for p in 0..<n {
                let from = Int(order[p]) * stride
                (sr + p * width).update(from: re + from, count: width)
                (si + p * width).update(from: im + from, count: width)
            }
        }
        for p in 0..<n {
            (re + p * stride).update(from: sr + p * width, count: width)
            (im + p * stride).update(from: si + p * width, count: width)
        }
        let sign = inverse ? -1.0 : 1.0
        twiddleRe.withUnsafeBufferPointer { twiddleRe in
            twiddleIm.withUnsafeBufferPointer { twiddleIm in
                var length = 1
                for (stage, r) in radices.enumerated() {
                    let (wre, wim) = (twiddleRe.baseAddress! + twiddleStart[stage], twiddleIm.baseAddress! + twiddleStart[stage])
                    var group = 0
                    while group < n {
                        for j in 0..<length {
                            let base = (group + j) * stride, step = length * stride
                            let t = j * r
                            switch r {
                            case 2:
                                Self.radix2(re, im, base, step, (wre[t + 1], sign * wim[t + 1]), width)
                            case 4:
                                Self.radix4(re, im, base, step, ((wre[t + 1], sign * wim[t + 1]), (wre[t + 2], sign * wim[t + 2]),
                                                                 (wre[t + 3], sign * wim[t + 3])), sign, width)
                            case 3:
                                Self.radix3(re, im, base, step, ((wre[t + 1], sign * wim[t + 1]), (wre[t + 2], sign * wim[t + 2])), sign, width)
                            default:
                                Self.radix5(re, im, base, step, ((wre[t + 1], sign * wim[t + 1]), (wre[t + 2], sign * wim[t + 2]),
                                                                 (wre[t + 3], sign * wim[t + 3]), (wre[t + 4], sign * wim[t + 4])), sign, width)
                            }
                        }
                        group += length * r
                    }
                    length *= r
                }
            }
        }
    }

    /// A complex product.
    @inline(__always)
    private static func times(_ w: (Double, Double), _ r: Double, _ i: Double) -> (Double, Double) {
        (w.0 * r - w.1 * i, w.0 * i + w.1 * r)
    }

    /// The inputs at `base` and `base` + `step`: input 1 twiddled, then the 2-point transform.
    @inline(__always)
    private static func radix2(_ re: UnsafeMutablePointer<Double>, _ im: UnsafeMutablePointer<Double>, _ base: Int, _ step: Int,
                               _ w: (Double, Double), _ width: Int) {
        let (r0, i0, r1, i1) = (re + base, im + base, re + base + step, im + base + step)
        for c in 0..<width {
            let (tr, ti) = times(w, r1[c], i1[c])
            r1[c] = r0[c] - tr; i1[c] = i0[c] - ti
            r0[c] += tr; i0[c] += ti
        }
    }

    /// Inputs 1–3 twiddled, then the 4-point transform (its own twiddles are ±1 and ∓i).
    @inline(__always)
    private static func radix4(_ re: UnsafeMutablePointer<Double>, _ im: UnsafeMutablePointer<Double>, _ base: Int, _ step: Int,
                               _ w: ((Double, Double), (Double, Double), (Double, Double)), _ sign: Double, _ width: Int) {
        let (r0, i0, r1, i1) = (re + base, im + base, re + base + step, im + base + step)
        let (r2, i2, r3, i3) = (re + base + 2 * step, im + base + 2 * step, re + base + 3 * step, im + base + 3 * step)
        for c in 0..<width {
            let (x1r, x1i) = times(w.0, r1[c], i1[c]), (x2r, x2i) = times(w.1, r2[c], i2[c]), (x3r, x3i) = times(w.2, r3[c], i3[c])
            let (sr, si, dr, di) = (r0[c] + x2r, i0[c] + x2i, r0[c] - x2r, i0[c] - x2i)
            let (tr, ti) = (x1r + x3r, x1i + x3i)
            let (ur, ui) = (sign * (x1i - x3i), -sign * (x1r - x3r))   // (x1 − x3) times −i forward, +i inverse
            r0[c] = sr + tr; i0[c] = si + ti
            r2[c] = sr - tr; i2[c] = si - ti
            r1[c] = dr + ur; i1[c] = di + ui
            r3[c] = dr - ur; i3[c] = di - ui
        }
    }

    /// Inputs 1–2 twiddled, then the 3-point transform.
    @inline(__always)
    private static func radix3(_ re: UnsafeMutablePointer<Double>, _ im: UnsafeMutablePointer<Double>, _ base: Int, _ step: Int,
                               _ w: ((Double, Double), (Double, Double)), _ sign: Double, _ width: Int) {
        let (r0, i0, r1, i1, r2, i2) = (re + base, im + base, re + base + step, im + base + step, re + base + 2 * step, im + base + 2 * step)
        let c3 = sign * 0.866_025_403_784_438_6   // sin(2π/3)
        for c in 0..<width {
            let (x1r, x1i) = times(w.0, r1[c], i1[c]), (x2r, x2i) = times(w.1, r2[c], i2[c])
            let (ar, ai) = (r0[c] - (x1r + x2r) / 2, i0[c] - (x1i + x2i) / 2)
            let (mr, mi) = (c3 * (x1r - x2r), c3 * (x1i - x2i))
            r0[c] += x1r + x2r; i0[c] += x1i + x2i
            r1[c] = ar + mi; i1[c] = ai - mr
            r2[c] = ar - mi; i2[c] = ai + mr
        }
    }

    /// Inputs 1–4 twiddled, then the 5-point transform.
    @inline(__always)
    private static func radix5(_ re: UnsafeMutablePointer<Double>, _ im: UnsafeMutablePointer<Double>, _ base: Int, _ step: Int,
                               _ w: ((Double, Double), (Double, Double), (Double, Double), (Double, Double)), _ sign: Double, _ width: Int) {
        let (c1, c2) = (0.309_016_994_374_947_45, -0.809_016_994_374_947_5)   // cos(2π/5), cos(4π/5)
        let (s1, s2) = (0.951_056_516_295_153_6, 0.587_785_252_292_473_1)     // sin(2π/5), sin(4π/5)
        let p = (base, base + step, base + 2 * step, base + 3 * step, base + 4 * step)
        for c in 0..<width {
            let (x0r, x0i) = (re[p.0 + c], im[p.0 + c])
            let (x1r, x1i) = times(w.0, re[p.1 + c], im[p.1 + c]), (x2r, x2i) = times(w.1, re[p.2 + c], im[p.2 + c])
            let (x3r, x3i) = times(w.2, re[p.3 + c], im[p.3 + c]), (x4r, x4i) = times(w.3, re[p.4 + c], im[p.4 + c])
            let (a1r, a1i, b1r, b1i) = (x1r + x4r, x1i + x4i, x1r - x4r, x1i - x4i)
            let (a2r, a2i, b2r, b2i) = (x2r + x3r, x2i + x3i, x2r - x3r, x2i - x3i)
            let (e1r, e1i) = (x0r + c1 * a1r + c2 * a2r, x0i + c1 * a1i + c2 * a2i)
            let (e2r, e2i) = (x0r + c2 * a1r + c1 * a2r, x0i + c2 * a1i + c1 * a2i)
            // X1, X4 = e1 ∓ i·m1 and X2, X3 = e2 ∓ i·m2 (forward; the inverse flips i).
            let (m1r, m1i) = (sign * (s1 * b1r + s2 * b2r), sign * (s1 * b1i + s2 * b2i))
            let (m2r, m2i) = (sign * (s2 * b1r - s1 * b2r), sign * (s2 * b1i - s1 * b2i))
            re[p.0 + c] = x0r + a1r + a2r; im[p.0 + c] = x0i + a1i + a2i
            re[p.1 + c] = e1r + m1i; im[p.1 + c] = e1i - m1r
            re[p.4 + c] = e1r - m1i; im[p.4 + c] = e1i + m1r
            re[p.2 + c] = e2r + m2i; im[p.2 + c] = e2i - m2r
            re[p.3 + c] = e2r - m2i; im[p.3 + c] = e2i + m2r
        }
    }

    /// Transforms a `count` × `count` grid (row-major) in place, by rows and by columns;
    /// with `parallel`, spread over the engine's threads. Only the first `rows` rows need
    /// their own pass: forward, the others must be zero; inverse, the others are left partly
    /// transformed (a zero-padded convolution reads only the first rows).
    public func transform2D(re: UnsafeMutablePointer<Double>, im: UnsafeMutablePointer<Double>, inverse: Bool = false,
                            rows active: Int? = nil, parallel: Bool = false) {
        let n = count
        let rows = { (range: Range<Int>) in
            let scratch = UnsafeMutablePointer<Double>.allocate(capacity: 2 * n)
            defer { scratch.deallocate() }
            for row in range { self.transform(re: re + row * n, im: im + row * n, stride: 1, width: 1, inverse: inverse, scratch: scratch) }
        }
        // Columns go in strips of whole cache lines, so that no two threads share one and a
        // strip of every row stays in cache through all the stages.
        let strips = (n + Self.strip - 1) / Self.strip
        let columns = { (range: Range<Int>) in
            let scratch = UnsafeMutablePointer<Double>.allocate(capacity: 2 * n * Self.strip)
            defer { scratch.deallocate() }
            for strip in range {
                let first = strip * Self.strip
                self.transform(re: re + first, im: im + first, stride: n, width: min(Self.strip, n - first), inverse: inverse, scratch: scratch)
            }
        }
        let active = min(active ?? n, n)
        let passes: [(Int, (Range<Int>) -> Void)] = inverse ? [(strips, columns), (active, rows)] : [(active, rows), (strips, columns)]
        for (count, pass) in passes { if parallel { Parallel.split(count, pass) } else { pass(0..<count) } }
    }

    /// Columns transformed together: this many values of each row, one vector.
    static let strip = 64
}
