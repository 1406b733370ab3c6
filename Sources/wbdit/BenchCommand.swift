import Analysis
import ArgumentParser
import Foundation
import TextUI
import Kernels
import Networks
import Diffusion

/// `wbdit bench`: times full training steps and the sgemm rate the process reaches.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time training steps (forward, backward, AdamW) and the sgemm rate of the step's largest product.",
        discussion: """
        Runs two warm-up steps, then --steps timed steps on random cells, and reports the \
        median. GFLOP counts are the matrix products the engine performs, forward and backward.

        Example:
          wbdit bench --arch wbdit --genes 2000 --patch 10 --hidden 768 \\
                      --depth 3 --heads 8 --batch 16 --steps 10 --threads 2 --json
        """
    )

    @OptionGroup var model: ModelOptions
    @Option(help: "Cells per step.")
    var batch: Int = 16
    @Option(help: "Timed steps (after 2 warm-up steps).")
    var steps: Int = 10
    @Option(help: "Threads for BLAS and elementwise work (default: all cores).")
    var threads: Int?
    @Option(help: ArgumentHelp("Hot-loop kernels: avx512 (hand-written, where the CPU runs them) or portable (OpenBLAS and Swift loops).",
                               valueName: "kernels"))
    var kernels: KernelChoice = KernelChoice.current
    @Option(help: "The products' precision: fp32, or bf16 (operands rounded to bfloat16, sums in Float32; needs AVX-512 BF16).")
    var precision: ProductPrecision = .float32
    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func run() throws {
        let config = try model.benchConfig()
        try config.validateForData()
        guard TrainingLimits.batch.contains(batch) else {
            throw InputError("--batch must be between \(TrainingLimits.batch.lowerBound) and \(TrainingLimits.batch.upperBound) (got \(batch))")
        }
        guard (1...100_000).contains(steps) else { throw InputError("--steps must be between 1 and 100000 (got \(steps))") }
        try Threads.configureFromOption(threads)
        guard kernels == .portable || KernelChoice.avx512Runs else {
            throw InputError("--kernels avx512: this CPU does not run AVX-512 (use --kernels portable)")
        }
        KernelChoice.current = kernels
        if let problem = ProductPrecision.problem(running: precision) { throw InputError(problem) }

        let network = DiffusionTransformer(config: config, seed: 0)
        let optimiser = AdamW(parameterCount: network.parameters.layout.trainableCount)
        var generator = SeededGenerator(seed: 1)
        let count = batch * config.inputWidth
        let x = FloatBuffer((0..<count).map { _ in max(0, generator.nextNormal()) })
        let noise = FloatBuffer((0..<count).map { _ in generator.nextNormal() })
        let t = FloatBuffer((0..<batch).map { _ in Float(1 + Int(generator.next() % 999)) })
        let dOutput = FloatBuffer(count: count)

        // One training step, run by every thread of the pool together (allocation-free).
        network.reserve(batch: batch)
        let teamStep: (Int) -> Void = { _ in
            let out = network.forward(x: x.constPointer, t: t.constPointer, batch: batch)
            MeanSquaredError.backward(dPrediction: dOutput.pointer, prediction: out, target: noise.constPointer,
                                      count: count, normalizer: count)
            network.backward(dOutput: dOutput.constPointer)
            optimiser.update(parameters: network.parameters.trainable, gradients: network.gradients.trainable)
        }
        func step() { ProductPrecision.run(precision) { Parallel.team(teamStep) } }

        let progress = ProgressLine()
        var times: [Double] = []
        for i in 0..<(steps + 2) {
            let seconds = Stopwatch.time(step)
            if i >= 2 { times.append(seconds) }
            progress.update(i < 2 ? "warm-up step \(i + 1)/2: \(Format.seconds(seconds))"
                                  : "step \(i - 1)/\(steps): \(Format.seconds(seconds))")
        }
        progress.finish()

        let cost = StepCost(config: config, batch: batch)
        let largest = cost.largestProduct
        let report = BenchReport(
            config: config, batch: batch, steps: steps, threads: Threads.count, kernels: kernels, precision: precision,
            stepSeconds: Percentile.median(times), stepFlops: cost.trainingStepFlops,
            sgemmRate: Stopwatch.sgemmRate(m: largest.m, n: largest.n, k: largest.k),
            largest: largest, peakResidentBytes: Stopwatch.peakResidentBytes())
        print(json ? report.json : report.table)
    }
}

extension KernelChoice: ExpressibleByArgument {}
