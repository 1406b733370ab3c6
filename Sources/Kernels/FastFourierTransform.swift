import Foundation

/// The discrete Fourier transform of a power-of-two count of complex values, in place, by
/// the iterative radix-2 Cooley–Tukey algorithm: X_k = Σ_j x_j e^(∓2πi·jk/N), the minus sign
/// forward. The inverse is left unscaled (divide by N), as FFTW leaves it. Real and
/// imaginary parts live in separate arrays; `transform2D` runs over a square grid.
public struct FastFourierTransform: Sendable {
    public let count: Int
    /// The twiddles e^(−2πi·k/2s) of the stage that joins halves of size s, for k < s, at
    /// s + k: every stage's contiguous, in one array of `count` entries.
    private let twiddleRe: [Double], twiddleIm: [Double]
    private let reversed: [Int32]                    // bit-reversal permutation

    public init(count: Int) {
        precondition(count >= 1 && count & (count - 1) == 0, "FastFourierTransform: the count must be a power of two")
        self.count = count
        var (twiddleRe, twiddleIm) = ([Double](repeating: 1, count: count), [Double](repeating: 0, count: count))
        var span = 1
        while span < count {
            for k in 0..<span {
                let angle = -Double.pi * Double(k) / Double(span)
                (twiddleRe[span + k], twiddleIm[span + k]) = (cos(angle), sin(angle))
            }
            span *= 2
        }
        (self.twiddleRe, self.twiddleIm) = (twiddleRe, twiddleIm)
        let bits = count.trailingZeroBitCount
        reversed = (0..<count).map { (i: Int) -> Int32 in
            var (value, flipped) = (i, 0)
            for _ in 0..<bits { flipped = flipped << 1 | value & 1; value >>= 1 }
            return Int32(flipped)
        }
    }

    /// The power of two at least `n`.
    public static func size(atLeast n: Int) -> Int { n <= 1 ? 1 : 1 << (Int.bitWidth - (n - 1).leadingZeroBitCount) }

    /// Transforms `count` values in place.
    public func transform(re: UnsafeMutablePointer<Double>, im: UnsafeMutablePointer<Double>, inverse: Bool = false) {
        let n = count
        reversed.withUnsafeBufferPointer { reversed in
            for i in 0..<n {
                let j = Int(reversed[i])
                if j > i { swap(&re[i], &re[j]); swap(&im[i], &im[j]) }
            }
        }
        // The first stage's twiddles are all 1.
        var start = 0
        while start + 1 < n {
            let (a, b) = (start, start + 1)
            let (tr, ti) = (re[b], im[b])
            re[b] = re[a] - tr; im[b] = im[a] - ti
            re[a] += tr; im[a] += ti
            start += 2
        }
        let sign = inverse ? -1.0 : 1.0
        twiddleRe.withUnsafeBufferPointer { twiddleRe in
            twiddleIm.withUnsafeBufferPointer { twiddleIm in
                var span = 2
                while span < n {
                    let (wre, wim) = (twiddleRe.baseAddress! + span, twiddleIm.baseAddress! + span)
                    var start = 0
                    while start < n {
                        let (ar, ai, br, bi) = (re + start, im + start, re + start + span, im + start + span)
                        for k in 0..<span {
                            let (wr, wi) = (wre[k], sign * wim[k])
                            let tr = wr * br[k] - wi * bi[k], ti = wr * bi[k] + wi * br[k]
                            br[k] = ar[k] - tr; bi[k] = ai[k] - ti
                            ar[k] += tr; ai[k] += ti
                        }
                        start += 2 * span
                    }
                    span *= 2
                }
            }
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
            for row in range { transform(re: re + row * n, im: im + row * n, inverse: inverse) }
        }
        let columns = { (range: Range<Int>) in self.transformColumns(re: re, im: im, range, inverse: inverse) }
        let active = min(active ?? n, n)
        // Columns go in strips of whole cache lines, so that no two threads share one.
        let strips = (n + Self.strip - 1) / Self.strip
        let columnPass = { (range: Range<Int>) in columns((range.lowerBound * Self.strip)..<min(n, range.upperBound * Self.strip)) }
        let passes: [(Int, (Range<Int>) -> Void)] = inverse ? [(strips, columnPass), (active, rows)] : [(active, rows), (strips, columnPass)]
        for (count, pass) in passes { if parallel { Parallel.split(count, pass) } else { pass(0..<count) } }
    }

    /// Columns transformed together: this many values of each row, one vector.
    static let strip = 64

    /// Transforms the columns `range` of the grid: the butterflies join whole rows, each a
    /// contiguous strip of up to `strip` values sharing one twiddle, so the inner loop is a
    /// vector operation and a strip of every row stays in cache through all the stages.
    private func transformColumns(re: UnsafeMutablePointer<Double>, im: UnsafeMutablePointer<Double>, _ range: Range<Int>, inverse: Bool) {
        let n = count
        let sign = inverse ? -1.0 : 1.0
        reversed.withUnsafeBufferPointer { reversed in
            twiddleRe.withUnsafeBufferPointer { twiddleRe in
                twiddleIm.withUnsafeBufferPointer { twiddleIm in
                    var first = range.lowerBound
                    while first < range.upperBound {
                        let width = min(Self.strip, range.upperBound - first)
                        for i in 0..<n {
                            let j = Int(reversed[i])
                            guard j > i else { continue }
                            for c in first..<(first + width) {
                                swap(&re[i * n + c], &re[j * n + c]); swap(&im[i * n + c], &im[j * n + c])
                            }
                        }
                        var span = 1
                        while span < n {
                            var start = 0
                            while start < n {
                                for k in 0..<span {
                                    let (wr, wi) = (twiddleRe[span + k], sign * twiddleIm[span + k])
                                    let a = (start + k) * n + first, b = a + span * n
                                    let (ar, ai, br, bi) = (re + a, im + a, re + b, im + b)
                                    for c in 0..<width {
                                        let tr = wr * br[c] - wi * bi[c], ti = wr * bi[c] + wi * br[c]
                                        br[c] = ar[c] - tr; bi[c] = ai[c] - ti
                                        ar[c] += tr; ai[c] += ti
                                    }
                                }
                                start += 2 * span
                            }
                            span *= 2
                        }
                        first += width
                    }
                }
            }
        }
    }
}
