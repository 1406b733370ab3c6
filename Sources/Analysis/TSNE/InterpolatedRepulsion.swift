import Foundation
import Kernels

/// t-SNE's repulsion by polynomial interpolation on a grid and FFT convolution (FIt-SNE:
/// Linderman et al. 2019, as openTSNE computes it for large maps), in time linear in the
/// points plus the grid's FFT. With W(y, z) = 1/(1 + |y − z|²) and K = W², every point needs
///
///     φ = Σ_j K(y_i, y_j) · [1, x_j, y_j],   ψ = Σ_j W(y_i, y_j)
///
/// for the repulsion Σ_j K(y_i, y_j)(y_i − y_j) = (x_i φ₁ − φ₂, y_i φ₁ − φ₃) and
/// Z = Σ_i ψ_i − n. (FIt-SNE reads Z from K's sums with a fourth charge, |y_j|², which loses
/// digits far from the origin; ψ costs nothing more here: its charge rides in the imaginary
/// part of y's grid, and W's transform in the imaginary part of K's.) The square holding the map is cut into at least
/// `minimumBoxes` boxes a side (and at least one per unit of the map's extent), each with 3×3
/// equispaced nodes; a point's charges are spread to its box's nodes by Lagrange weights,
/// the nodes' potentials are the grid convolved with K (zero-padded to an FFT size with no
/// prime factor above 5, the smallest holding twice the grid, as FFTW takes any size),
/// and each point reads its potentials back with the same weights.
///
/// One instance keeps its grids and FFT from call to call while the grid's size stays.
final class InterpolatedRepulsion {
    static let nodesPerBox = 3
    static let minimumBoxes = 50
    private var fft = FastFourierTransform(count: 1)
    private var grids: (first: Grid, second: Grid, kernel: Grid)?

    deinit { if let grids { [grids.first, grids.second, grids.kernel].forEach { $0.free() } } }

    /// Writes Σ_j K(y_i, y_j)(y_i − y_j) into `force` [2n]; returns Z.
    func repulsion(positions y: [Double], count n: Int, into force: inout [Double], parallel: Bool = false) -> Double {
        var (low, high) = (Double.infinity, -Double.infinity)
        for v in y.prefix(2 * n) { low = min(low, v); high = max(high, v) }
        let extent = max(high - low, 1e-12)
        let p = Self.nodesPerBox
        // The FFT side: the smallest size the FFT takes that holds twice the grid; the grid
        // then takes as many boxes as fit, which only refines it at no cost.
        let side = FastFourierTransform.size(atLeast: 2 * p * max(Self.minimumBoxes, Int(extent.rounded(.up))))
        let boxes = side / (2 * p), m = boxes * p
        let boxWidth = extent / Double(boxes), spacing = boxWidth / Double(p)

        // Each point's box and Lagrange weights on its nodes, along x and along y.
        var cell = [Int](repeating: 0, count: 2 * n)
        var weights = [Double](repeating: 0, count: 2 * n * p)
        let nodes = (0..<p).map { (Double($0) + 0.5) / Double(p) }
        let (first, second, kernel) = workspace(side: side)
        for c in 0..<(2 * n) {
            let scaled = (y[c] - low) / boxWidth
            let box = min(max(Int(scaled), 0), boxes - 1)
            let u = scaled - Double(box)
            cell[c] = box * p
            for j in 0..<p {
                var w = 1.0
                for l in 0..<p where l != j { w *= (u - nodes[l]) / (nodes[j] - nodes[l]) }
                weights[c * p + j] = w
            }
        }

        // Charges on the grid, two to a complex grid: (1, x) for K and (y for K, 1 for W).
        let cells = side * side
        for i in 0..<n {
            let (xi, yi) = (y[2 * i], y[2 * i + 1])
            let charges = (1.0, xi, yi, 1.0)
            for jy in 0..<p {
                let row = (cell[2 * i + 1] + jy) * side, wy = weights[(2 * i + 1) * p + jy]
                for jx in 0..<p {
                    let k = row + cell[2 * i] + jx, w = wy * weights[2 * i * p + jx]
                    first.re[k] += w * charges.0; first.im[k] += w * charges.1
                    second.re[k] += w * charges.2; second.im[k] += w * charges.3
                }
            }
        }
        // The kernels K (real part) and W (imaginary) at every node offset, wrapped around the
        // FFT's period. Both are real and even, so their transforms are too: K̂ comes back in
        // the real part and Ŵ in the imaginary one.
        for dy in -(m - 1)...(m - 1) {
            for dx in -(m - 1)...(m - 1) {
                let w = 1 / (1 + Double(dx * dx + dy * dy) * spacing * spacing)
                let k = ((dy + side) % side) * side + (dx + side) % side
                kernel.re[k] = w * w; kernel.im[k] = w
            }
        }
        fft.transform2D(re: kernel.re, im: kernel.im, parallel: parallel)
        for grid in [first, second] { fft.transform2D(re: grid.re, im: grid.im, rows: m, parallel: parallel) }
        let scale = 1 / Double(cells)
        for k in 0..<cells {   // both charges of the first grid convolve with K
            let h = kernel.re[k] * scale
            first.re[k] *= h; first.im[k] *= h
        }
        // The second grid's real part convolves with K, its imaginary part with W: with C its
        // transform, the two parts' own transforms are (C_k + C̄_−k)/2 and (C_k − C̄_−k)/2i, so
        // the product is ((K̂ + Ŵ)/2)·C_k + ((K̂ − Ŵ)/2)·C̄_−k, done for k and −k together.
        for ky in 0..<side {
            for kx in 0..<side {
                let k = ky * side + kx, mirror = ((side - ky) % side) * side + (side - kx) % side
                guard k <= mirror else { continue }
                let sum = (kernel.re[k] + kernel.im[k]) / 2 * scale, difference = (kernel.re[k] - kernel.im[k]) / 2 * scale
                let (ar, ai, br, bi) = (second.re[k], second.im[k], second.re[mirror], second.im[mirror])
                second.re[k] = sum * ar + difference * br; second.im[k] = sum * ai - difference * bi
                second.re[mirror] = sum * br + difference * ar; second.im[mirror] = sum * bi - difference * ai
            }
        }
        for grid in [first, second] { fft.transform2D(re: grid.re, im: grid.im, inverse: true, rows: m, parallel: parallel) }

        // Each point's potentials, read back through its weights.
        var z = 0.0
        for i in 0..<n {
            var phi = (0.0, 0.0, 0.0, 0.0)
            for jy in 0..<p {
                let row = (cell[2 * i + 1] + jy) * side, wy = weights[(2 * i + 1) * p + jy]
                for jx in 0..<p {
                    let k = row + cell[2 * i] + jx, w = wy * weights[2 * i * p + jx]
                    phi.0 += w * first.re[k]; phi.1 += w * first.im[k]
                    phi.2 += w * second.re[k]; phi.3 += w * second.im[k]
                }
            }
            let (xi, yi) = (y[2 * i], y[2 * i + 1])
            z += phi.3
            force[2 * i] = xi * phi.0 - phi.1
            force[2 * i + 1] = yi * phi.0 - phi.2
        }
        return z - Double(n)
    }

    /// Zeroed grids of `side` × `side`, and the FFT of that size.
    private func workspace(side: Int) -> (Grid, Grid, Grid) {
        if fft.count != side {
            if let grids { [grids.first, grids.second, grids.kernel].forEach { $0.free() } }
            fft = FastFourierTransform(count: side)
            grids = (Grid(side * side), Grid(side * side), Grid(side * side))
        }
        let grids = grids!
        for grid in [grids.first, grids.second, grids.kernel] { grid.zero(side * side) }
        return grids
    }

    /// A complex grid.
    private struct Grid {
        let re: UnsafeMutablePointer<Double>, im: UnsafeMutablePointer<Double>
        init(_ count: Int) { re = .allocate(capacity: count); im = .allocate(capacity: count) }
        func zero(_ count: Int) { re.initialize(repeating: 0, count: count); im.initialize(repeating: 0, count: count) }
        func free() { re.deallocate(); im.deallocate() }
    }
}
