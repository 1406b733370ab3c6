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

    /// Transforms a `count` × `count` grid (row-major) in place, by rows and by columns
    /// (through a contiguous copy); with `parallel`, spread over the engine's threads. Only the
    /// first `rows` rows need their own pass: forward, the others must be zero; inverse, the
    /// others are left partly transformed (a zero-padded convolution reads only the first rows).
    public func transform2D(re: UnsafeMutablePointer<Double>, im: UnsafeMutablePointer<Double>, inverse: Bool = false,
                            rows active: Int? = nil, parallel: Bool = false) {
        let n = count
        let rows = { (range: Range<Int>) in
            for row in range { transform(re: re + row * n, im: im + row * n, inverse: inverse) }
        }
        // Columns are copied out and back a block at a time, so that each row's piece of the
        // block is one read of memory rather than one per column.
        let block = 8
        let columns = { (range: Range<Int>) in
            let bufferRe = UnsafeMutablePointer<Double>.allocate(capacity: n * block)
            let bufferIm = UnsafeMutablePointer<Double>.allocate(capacity: n * block)
            defer { bufferRe.deallocate(); bufferIm.deallocate() }
            var first = range.lowerBound
            while first < range.upperBound {
                let width = min(block, range.upperBound - first)
                for r in 0..<n {
                    let (fromRe, fromIm) = (re + r * n + first, im + r * n + first)
                    for c in 0..<width { bufferRe[c * n + r] = fromRe[c]; bufferIm[c * n + r] = fromIm[c] }
                }
                for c in 0..<width { transform(re: bufferRe + c * n, im: bufferIm + c * n, inverse: inverse) }
                for r in 0..<n {
                    let (toRe, toIm) = (re + r * n + first, im + r * n + first)
                    for c in 0..<width { toRe[c] = bufferRe[c * n + r]; toIm[c] = bufferIm[c * n + r] }
                }
                first += width
            }
        }
        let active = min(active ?? n, n)
        let passes: [(Int, (Range<Int>) -> Void)] = inverse ? [(n, columns), (active, rows)] : [(active, rows), (n, columns)]
        for (count, pass) in passes { if parallel { Parallel.split(count, pass) } else { pass(0..<count) } }
    }
}
