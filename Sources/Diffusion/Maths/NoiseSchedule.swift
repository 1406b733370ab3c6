/// The forward diffusion process: T = 1000 steps, β linear from 1e-4 to 0.02,
/// α_t = 1 − β_t, ᾱ_t = Π_{s≤t} α_s (t = 0…999), computed in Double.
public struct NoiseSchedule: Sendable {
    public static let steps = 1000
    public static let standard = NoiseSchedule()

    public let betas: [Double]
    public let alphas: [Double]
    public let alphaBars: [Double]

    public init(betaStart: Double = 1e-4, betaEnd: Double = 0.02, steps: Int = NoiseSchedule.steps) {
        betas = (0..<steps).map { betaStart + (betaEnd - betaStart) * Double($0) / Double(steps - 1) }
        alphas = betas.map { 1 - $0 }
        var product = 1.0
        alphaBars = alphas.map { product *= $0; return product }
    }

    /// √ᾱ_t and √(1 − ᾱ_t): how much of x_0 and of ε make up x_t.
    public func scales(at t: Int) -> (signal: Float, noise: Float) {
        (Float(alphaBars[t].squareRoot()), Float((1 - alphaBars[t]).squareRoot()))
    }

    /// x_t = √ᾱ_t · x_0 + √(1 − ᾱ_t) · ε, for `count` values.
    public func noise(_ x0: UnsafePointer<Float>, _ epsilon: UnsafePointer<Float>, at t: Int,
                      into out: UnsafeMutablePointer<Float>, count: Int) {
        let (a, b) = scales(at: t)
        for i in 0..<count { out[i] = a * x0[i] + b * epsilon[i] }
    }
}
