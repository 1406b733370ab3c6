import Foundation
import Kernels

/// How to draw cells from a trained noise predictor.
public struct SamplerSettings: Equatable, Codable, Sendable {
    public enum Method: String, Codable, CaseIterable, Sendable { case ddpm, ddim }
    /// Where DDIM's last step lands.
    public enum Ending: String, Codable, CaseIterable, Sendable {
        /// The reference: the step from t = 1 goes to ᾱ_0 (slightly noisy, as published).
        case reference
        /// The last step returns the model's clean estimate x̂_0.
        case clean
    }

    public var method: Method = .ddim
    /// DDIM steps (DDPM always takes all 999).
    public var steps: Int = 100
    /// DDIM's η: 0 is deterministic, 1 (the reference) is as stochastic as DDPM.
    public var eta: Double = 1
    public var ending: Ending = .reference
    /// Clamp generated values at 0 (expression is non-negative).
    public var clampNonNegative = true
    /// DDIM only: at every step clamp the clean estimate x̂_0 at 0 and take the noise
    /// consistent with it (DDPM's `clip_denoised`, one-sided), so that trajectories stay
    /// where non-negative data lives. Off in the reference.
    public var clampEstimate = false
    public var seed: UInt64 = 0

    /// The DDIM step counts the sub-sequence allows.
    public static let stepRange = 1...999
    /// The classifier-free guidance weights a conditional sampler takes (1: the label alone,
    /// 0: no label); far past this range the guided estimate overflows Float32.
    public static let guidanceRange = 0.0...100.0

    /// Refuses settings the samplers cannot follow, naming the value.
    public func validate() throws {
        guard Self.stepRange.contains(steps) else {
            throw TrainingError("DDIM steps must be between \(Self.stepRange.lowerBound) and \(Self.stepRange.upperBound) (got \(steps))")
        }
        guard eta.isFinite, (0...1).contains(eta) else { throw TrainingError("DDIM η must be in [0, 1] (got \(eta))") }
    }

    public init(method: Method = .ddim, steps: Int = 100, eta: Double = 1, ending: Ending = .reference,
                clampNonNegative: Bool = true, clampEstimate: Bool = false, seed: UInt64 = 0) {
        self.method = method
        self.steps = steps
        self.eta = eta
        self.ending = ending
        self.clampNonNegative = clampNonNegative
        self.clampEstimate = clampEstimate
        self.seed = seed
    }

    /// The timesteps DDIM visits, from the top: the reference's sub-sequence generalised to
    /// `steps` — the members of {0, 1, c, 2c, …} (c = 1000 / steps, rounded) in 1…999.
    /// For 100 steps: 990, 980, …, 10, 1; each step goes to the next member, the last to 0.
    public var ddimTimesteps: [Int] {
        let spacing = Double(NoiseSchedule.steps) / Double(max(1, steps))
        var members = Set([1])
        for k in 1..<max(1, steps) {
            let t = Int((Double(k) * spacing).rounded())
            if t >= 1 && t <= NoiseSchedule.steps - 1 { members.insert(t) }
        }
        return members.sorted(by: >)
    }
}

/// DDPM and DDIM sampling, batched over cells. Each cell's trajectory depends only on the
/// seed and the cell's index, so results do not change with the batch size.
public struct Sampler {
    public let settings: SamplerSettings
    public let schedule = NoiseSchedule.standard

    public init(settings: SamplerSettings) { self.settings = settings }

    /// Generates `cells` cells, `batch` at a time; `progress(done, total)` is called after
    /// every denoising step of every batch. Returns [cells, genes] row-major. The cells are
    /// cells `firstCell…` of the seed's sequence: a million cells drawn a block at a time
    /// are the cells drawn at once.
    /// With a `condition`, each cell is generated given its labels, with classifier-free
    /// guidance as `Guidance.Composition` defines it (plain conditional sampling, one pass per
    /// step, when no weight asks for more).
    public func sample(_ model: NoisePredictor, cells: Int, firstCell: Int = 0, batch: Int = 32, condition: SamplingCondition? = nil,
                       progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) -> [Float] {
        let g = model.inputWidth
        var out = [Float](repeating: 0, count: cells * g)
        let stepsPerBatch = settings.method == .ddpm ? NoiseSchedule.steps - 1 : settings.ddimTimesteps.count
        let total = stepsPerBatch * ((cells + batch - 1) / max(batch, 1))
        var done = 0
        for start in stride(from: 0, to: cells, by: batch) {
            let n = min(batch, cells - start)
            var generators = (start..<(start + n)).map { SeededGenerator(seed: settings.seed, stream: UInt64(firstCell + $0)) }
            let x = FloatBuffer(count: n * g)
            for c in 0..<n { generators[c].fillNormal(x.pointer + c * g, count: g) }
            run(model, x: x, cells: n, generators: &generators, condition: condition?.cells(start..<(start + n))) {
                done += 1
                progress(done, total)
            }
            if settings.clampNonNegative { for i in 0..<(n * g) where x[i] < 0 { x[i] = 0 } }   // NaN stays NaN
            out.withUnsafeMutableBufferPointer { ($0.baseAddress! + start * g).update(from: x.pointer, count: n * g) }
        }
        return out
    }

    private func run(_ model: NoisePredictor, x: FloatBuffer, cells n: Int, generators: inout [SeededGenerator],
                     condition: SamplingCondition?, step: () -> Void) {
        let g = model.inputWidth
        let t = FloatBuffer(count: n), z = FloatBuffer(count: n * g)
        let guided = condition?.isGuided ?? false
        let combined = FloatBuffer(count: guided ? n * g : 0), unconditional = FloatBuffer(count: guided ? n * g : 0)
        let consistent = FloatBuffer(count: settings.clampEstimate ? n * g : 0)
        func pass(_ codes: [Int32]?) -> ConstFloatPointer {
            guard let codes else { return model.predictNoise(x: x.constPointer, t: t.constPointer, labels: nil, batch: n) }
            return codes.withUnsafeBufferPointer {
                model.predictNoise(x: x.constPointer, t: t.constPointer, labels: $0.baseAddress!, batch: n)
            }
        }
        // Each attribute's codes alone, the others "no label": what ε̂(y_a) reads.
        let attributes = condition?.attributes ?? 0
        let alone: [[Int32]] = !guided ? [] : (0..<attributes).map { a in
            (0..<(n * attributes)).map { i in i % attributes == a ? condition!.codes[i] : condition!.nullCodes[i % attributes] }
        }
        let nulls = condition.map { c in (0..<n).flatMap { _ in c.nullCodes } }
        func predict(at i: Int) -> ConstFloatPointer {
            for c in 0..<n { t[c] = Float(i) }
            guard let condition else { return pass(nil) }
            guard guided else { return pass(condition.codes) }
            unconditional.pointer.update(from: pass(nulls), count: n * g)
            let (u, out) = (unconditional.pointer, combined.pointer)
            let joint = condition.composition == .joint && attributes > 1
            if joint { out.update(from: pass(condition.codes), count: n * g) } else { out.update(from: u, count: n * g) }
            for a in 0..<attributes {
                let w = Float(joint ? condition.weights[a] - 1 : condition.weights[a])
                if w == 0 { continue }
                let e = pass(attributes == 1 ? condition.codes : alone[a])
                for k in 0..<(n * g) { out[k] += w * (e[k] - u[k]) }
            }
            return combined.constPointer
        }
        func drawNoise() { for c in 0..<n { generators[c].fillNormal(z.pointer + c * g, count: g) } }
        let ab = schedule.alphaBars

        switch settings.method {
        case .ddpm:
            for i in stride(from: NoiseSchedule.steps - 1, through: 1, by: -1) {
                let eps = predict(at: i)
                let beta = schedule.betas[i]
                let a = Float(1 / schedule.alphas[i].squareRoot())
                let b = Float(beta / (1 - ab[i]).squareRoot())
                let sigma = i > 1 ? Float(beta.squareRoot()) : 0
                if i > 1 { drawNoise() }
                for k in 0..<(n * g) { x[k] = (x[k] - b * eps[k]) * a + (i > 1 ? sigma * z[k] : 0) }
                step()
            }
        case .ddim:
            let visits = settings.ddimTimesteps
            for (index, i) in visits.enumerated() {
                let previous = index + 1 < visits.count ? visits[index + 1] : 0
                let last = index + 1 == visits.count
                var eps = predict(at: i)
                let sqrtAb = ab[i].squareRoot(), sqrtOneMinusAb = (1 - ab[i]).squareRoot()
                if settings.clampEstimate {
                    // ε consistent with max(0, x̂_0): ε = (x − √ᾱ·x̂_0) / √(1 − ᾱ)
                    for k in 0..<(n * g) {
                        let estimate = max(0, (Double(x[k]) - sqrtOneMinusAb * Double(eps[k])) / sqrtAb)
                        consistent[k] = Float((Double(x[k]) - sqrtAb * estimate) / sqrtOneMinusAb)
                    }
                    eps = consistent.constPointer
                }
                if last && settings.ending == .clean {
                    for k in 0..<(n * g) { x[k] = Float((Double(x[k]) - sqrtOneMinusAb * Double(eps[k])) / sqrtAb) }
                    step()
                    break
                }
                let abPrev = ab[previous]
                let sigma = settings.eta * ((1 - abPrev) / (1 - ab[i])).squareRoot() * (1 - ab[i] / abPrev).squareRoot()
                let direction = max(0, 1 - abPrev - sigma * sigma).squareRoot()
                let cz = last ? 0 : sigma     // z = 0 on the step from t = 1
                if cz > 0 { drawNoise() }
                let (cx, ce) = (abPrev.squareRoot() / sqrtAb, direction - abPrev.squareRoot() * sqrtOneMinusAb / sqrtAb)
                for k in 0..<(n * g) {
                    // √ᾱ′·x̂_0 + √(1 − ᾱ′ − σ²)·ε̂ + σ·z, with x̂_0 = (x − √(1 − ᾱ)·ε̂)/√ᾱ
                    x[k] = Float(cx * Double(x[k]) + ce * Double(eps[k]) + (cz > 0 ? cz * Double(z[k]) : 0))
                }
                step()
            }
        }
    }
}

extension SeededGenerator {
    /// An independent stream: the generator for item `stream` of a run seeded with `seed`.
    public init(seed: UInt64, stream: UInt64) {
        self.init(seed: seed &+ 0x9E37_79B9_7F4A_7C15 &* (stream &+ 1))
    }
}
