import ArgumentParser
import Diffusion

/// How generated cells are drawn: the options `sample` and `eval` share, checked by
/// `SamplerSettings.validate` (as the workbench's sample form is).
struct SamplerOptions: ParsableArguments {
    @Option(help: "ddim or ddpm (always 999 steps).")
    var sampler: SamplerSettings.Method = .ddim
    @Option(help: "DDIM steps, 1 to 999.")
    var steps: Int = 100
    @Option(help: "DDIM η in [0, 1]: 0 deterministic, 1 as in the reference.")
    var eta: Double = 1
    @Option(help: "Where DDIM ends: reference (on ᾱ_0) or clean (x̂_0).")
    var ending: SamplerSettings.Ending = .reference
    @Flag(name: .customLong("clamp-estimate"), help: "DDIM: clamp the clean estimate x̂₀ at 0 at every step (off in the reference).")
    var clampEstimate = false
    @Option(help: "Random seed (of the sampler and of the counts drawn).")
    var seed: UInt64 = 0

    /// The settings, clamping the cells at 0 unless `clamp` is false.
    func settings(clamp: Bool = true) -> SamplerSettings {
        SamplerSettings(method: sampler, steps: steps, eta: eta, ending: ending, clampNonNegative: clamp,
                        clampEstimate: clampEstimate, seed: seed)
    }

    func validate() throws {
        do { try settings().validate() } catch { throw ValidationError("\(error)") }
    }
}

extension SamplerSettings.Method: ExpressibleByArgument {}
extension SamplerSettings.Ending: ExpressibleByArgument {}
