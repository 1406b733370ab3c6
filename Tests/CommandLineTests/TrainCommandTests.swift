import CellData
import Foundation
import Kernels
import Networks
import TestSupport
import XCTest

/// `wbdit train` and `wbdit sample` as a user runs them: a run from start to samples,
/// Ctrl-C, SIGKILL in the middle of checkpoint writes, and bad input.
final class TrainCommandTests: XCTestCase {
    var directory: String!
    var data: String { directory + "/cells.npy" }

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "wbdit-train-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let values: [Float] = (0..<(40 * 20)).map { (i: Int) -> Float in Float((i / 20 + i % 20) % 4) }
        try NumpyArray(shape: [40, 20], values: values).write(to: data)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    let small = ["--arch", "wbdit", "--patch", "4", "--hidden", "32", "--depth", "2", "--heads", "4", "--batch", "8"]

    func testTrainThenSampleFromTheRun() throws {
        let run = directory + "/run"
        let trained = try CommandRunner.wbdit(["train", "--data", data, "--run", run, "--steps", "12",
                                               "--checkpoint-every", "5", "--ema", "0.9"] + small)
        XCTAssertEqual(trained.status, 0, trained.stderr)
        XCTAssertTrue(trained.stdout.contains("finished: completed 12 steps"), trained.stdout)
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/config.json"))) as? [String: Any]
        XCTAssertEqual((config?["model"] as? [String: Any])?["genes"] as? Int, 20)
        XCTAssertNotNil((config?["data"] as? [String: Any])?["checksum"])

        for extra in [[], ["--ema"]] {
            let out = directory + "/cells-\(extra.count).npy"
            let sampled = try CommandRunner.wbdit(["sample", "--run", run, "--n", "5", "--steps", "10", "--out", out] + extra)
            XCTAssertEqual(sampled.status, 0, sampled.stderr)
            let cells = try NumpyArray(contentsOf: out)
            XCTAssertEqual(cells.shape, [5, 20])
            XCTAssertTrue(cells.values.allSatisfy { $0 >= 0 && $0.isFinite })
        }
        // The checkpoint is an ordinary one: forward and grad accept it.
        XCTAssertNoThrow(try Checkpoint.load(run + "/checkpoints/step-12.safetensors"))
    }

    /// `--recipe` sets the optimisation, and flags override parts of it; a velocity run
    /// records its target in its checkpoints, so `sample --checkpoint` reads it back.
    func testRecipesAndTheirOverridesReachTheRunsConfig() throws {
        func config(_ name: String, _ extra: [String]) throws -> [String: Any] {
            let run = directory + "/" + name
            let trained = try CommandRunner.wbdit(["train", "--data", data, "--run", run, "--steps", "4"] + small + extra)
            XCTAssertEqual(trained.status, 0, trained.stderr)
            return try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/config.json"))) as! [String: Any]
        }
        let fast = try config("fast", [])
        let reference = try config("reference", ["--recipe", "reference"])
        let tuned = try config("tuned", ["--recipe", "fast", "--lr", "5e-4", "--clip", "0", "--no-cosine", "--min-snr", "5",
                                         "--timestep-power", "2"])
        let noise = try config("noise", ["--prediction", "epsilon"])
        let genes = try config("genes", ["--no-pca-basis"])
        func schedule(_ c: [String: Any]) -> [String: Any] { c["learningRate"] as! [String: Any] }
        XCTAssertEqual(fast["recipe"] as? String, "fast")
        XCTAssertEqual(schedule(fast)["peakRate"] as? Double, 1e-3)
        XCTAssertEqual(schedule(fast)["warmupSteps"] as? Int, 200)
        XCTAssertEqual(fast["gradientClip"] as? Double, 1)
        XCTAssertEqual(fast["predictionTarget"] as? String, "velocity")
        XCTAssertEqual(reference["recipe"] as? String, "reference")
        XCTAssertEqual(schedule(reference)["peakRate"] as? Double, 1e-4)
        XCTAssertEqual(schedule(reference)["cosineDecay"] as? Bool, false)
        XCTAssertNil(reference["gradientClip"])
        XCTAssertNil(reference["predictionTarget"])
        XCTAssertEqual(schedule(tuned)["peakRate"] as? Double, 5e-4)
        XCTAssertEqual(schedule(tuned)["cosineDecay"] as? Bool, false)
        XCTAssertNil(tuned["gradientClip"])
        XCTAssertEqual(tuned["predictionTarget"] as? String, "velocity")
        XCTAssertEqual(tuned["minSNRGamma"] as? Double, 5)
        XCTAssertEqual(tuned["timestepPower"] as? Double, 2)
        XCTAssertNil(fast["timestepPower"])
        XCTAssertNil(noise["predictionTarget"], "--prediction epsilon overrides the recipe's v")
        func basis(_ c: [String: Any]) -> Bool? { (c["data"] as! [String: Any])["principalBasis"] as? Bool }
        XCTAssertEqual(basis(fast), true, "fast trains on principal-component scores")
        XCTAssertEqual((fast["data"] as! [String: Any])["principalComponents"] as? Int, 20, "the recipe's 200, at most the 20 genes")
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/fast/basis.npy"))
        XCTAssertNil(basis(reference))
        XCTAssertNil(basis(genes), "--no-pca-basis overrides the recipe")
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/genes/basis.npy"))

        let checkpoint = directory + "/tuned/checkpoints/step-4.safetensors"
        XCTAssertEqual(try SafeTensorsFile(contentsOf: checkpoint).metadata["prediction"], "velocity")
        let out = directory + "/v.npy"
        let sampled = try CommandRunner.wbdit(["sample", "--checkpoint", checkpoint, "--n", "3", "--steps", "5", "--out", out])
        XCTAssertEqual(sampled.status, 0, sampled.stderr)
    }

    func testCtrlCWritesACheckpointAndExits130() throws {
        let run = directory + "/run"
        let process = try CommandRunner.launch(["train", "--data", data, "--run", run, "--steps", "100000", "--checkpoint-every", "100000"] + small)
        try CommandRunner.waitFor { ((try? String(contentsOfFile: run + "/metrics.jsonl", encoding: .utf8)) ?? "").split(separator: "\n").count >= 3 }
        process.interrupt()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 130)
        let latest = try String(contentsOfFile: run + "/latest", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertNoThrow(try Checkpoint.load(run + "/checkpoints/\(latest).safetensors"))
        // …and the run continues from there.
        let resumed = try CommandRunner.wbdit(["train", "--data", data, "--run", run, "--resume",
                                               "--steps", String(Int(latest.dropFirst(5))! + 2)])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
    }

    /// SIGKILL at arbitrary moments while checkpoints are written every step: the latest
    /// checkpoint is always complete and the run resumes from it.
    func testKilledDuringCheckpointWritesLeavesAReadableLatestCheckpoint() throws {
        let run = directory + "/run"
        var started = false
        for delay in [0.25, 0.4, 0.55] {
            let arguments = started
                ? ["train", "--data", data, "--run", run, "--resume", "--steps", "100000"]
                : ["train", "--data", data, "--run", run, "--steps", "100000", "--checkpoint-every", "1", "--keep", "2"] + small
            let process = try CommandRunner.launch(arguments)
            try CommandRunner.waitFor { FileManager.default.fileExists(atPath: run + "/latest") }
            Thread.sleep(forTimeInterval: delay)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            started = true
            let latest = try String(contentsOfFile: run + "/latest", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            XCTAssertNoThrow(try Checkpoint.load(run + "/checkpoints/\(latest).safetensors"), "after a kill at \(delay) s")
            XCTAssertNoThrow(try SafeTensorsFile(contentsOf: run + "/checkpoints/\(latest).optim.safetensors"))
        }
    }

    /// A time budget alone starts a run: the preset's network, and as many steps as the
    /// budget holds at the step time measured on this machine before training.
    func testATimeBudgetAloneStartsTheRunWithThePresetsNetworkAndALengthForTheBudget() throws {
        let run = directory + "/budget"
        let result = try CommandRunner.wbdit(["train", "--data", data, "--run", run, "--preset", "tiny", "--time-budget", "2",
                                              "--threads", "1"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("timed on this machine"), result.stdout)
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/config.json"))) as? [String: Any])
        let steps = try XCTUnwrap(config["totalSteps"] as? Int)
        XCTAssertGreaterThan(steps, 10)
        XCTAssertEqual((config["learningRate"] as? [String: Any])?["totalSteps"] as? Int, steps, "the schedule ends with the run")
        XCTAssertTrue((config["lengthChoice"] as? String)?.hasPrefix("\(steps) steps: 2 s of budget") == true, "\(config["lengthChoice"] ?? "none")")
        let model = try XCTUnwrap(config["model"] as? [String: Any])
        XCTAssertEqual(model["hiddenSize"] as? Int, 64, "the tiny preset's width")
        XCTAssertEqual(model["patchSize"] as? Int, 20)
    }

    /// A second trainer on a run that one is training is refused, naming the first.
    func testASecondTrainerOnTheSameRunIsRefused() throws {
        let run = directory + "/locked"
        XCTAssertEqual(try CommandRunner.wbdit(["train", "--data", data, "--run", run, "--steps", "4", "--checkpoint-every", "2"] + small).status, 0)
        let first = try CommandRunner.launch(["train", "--data", data, "--run", run, "--resume", "--steps", "100000000"])
        defer { first.terminate(); first.waitUntilExit() }
        try CommandRunner.waitFor { FileManager.default.fileExists(atPath: run + "/lock") }
        let second = try CommandRunner.wbdit(["train", "--data", data, "--run", run, "--resume", "--steps", "10"])
        XCTAssertEqual(second.status, 2, second.stderr)
        XCTAssertTrue(second.stderr.contains("is being trained by pid \(first.processIdentifier)"), second.stderr)
    }

    /// A checkpoint that cannot be written (here: a file-size limit, as a full disk would
    /// refuse it) fails the run with status 1 and leaves the previous checkpoint as it was,
    /// with no half-written files.
    func testAFailedCheckpointWriteLeavesThePreviousOneIntact() throws {
        let run = directory + "/full"
        XCTAssertEqual(try CommandRunner.wbdit(["train", "--data", data, "--run", run, "--steps", "2", "--checkpoint-every", "2"] + small).status, 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: run + "/checkpoints/step-2.optim.safetensors"))
        let binary = CommandRunner.productsDirectory.appendingPathComponent("wbdit").path
        // Ignore SIGXFSZ so that a write past the limit fails with EFBIG instead of killing the process.
        let limited = try CommandRunner.run("/bin/sh", ["-c", "trap '' XFSZ; ulimit -f 8; exec \"$0\" \"$@\"", binary,
                                                       "train", "--run", run, "--resume", "--steps", "4"])
        XCTAssertEqual(limited.status, 1, limited.stderr)
        XCTAssertTrue(limited.stderr.contains("latest checkpoint is still step 2, intact"), limited.stderr)
        XCTAssertEqual(try String(contentsOfFile: run + "/latest", encoding: .utf8), "step-2\n")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: run + "/checkpoints/step-2.optim.safetensors")), before)
        let left = try FileManager.default.contentsOfDirectory(atPath: run + "/checkpoints").sorted()
        XCTAssertEqual(left, ["step-2.optim.safetensors", "step-2.safetensors"], "no half checkpoint")
        // With room again, the run continues from the intact checkpoint.
        XCTAssertEqual(try CommandRunner.wbdit(["train", "--run", run, "--resume", "--steps", "4"]).status, 0)
    }

    /// A run cut off before its first checkpoint (Ctrl-C or a kill while it was created)
    /// holds nothing to resume: resuming says so, and starting it again replaces it, with
    /// the half-written files of the first start.
    func testARunCutOffBeforeItsFirstCheckpointStartsAgain() throws {
        let run = directory + "/cut"
        let train = ["train", "--data", data, "--run", run, "--steps", "2"] + small
        XCTAssertEqual(try CommandRunner.wbdit(train).status, 0)
        for name in ["latest", "checkpoints/step-2.safetensors", "checkpoints/step-2.optim.safetensors"] {
            try FileManager.default.removeItem(atPath: run + "/" + name)
        }
        FileManager.default.createFile(atPath: run + "/.split.json.partial-99999", contents: Data("[".utf8))
        let resumed = try CommandRunner.wbdit(["train", "--run", run, "--resume"])
        XCTAssertEqual(resumed.status, 2, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("has no checkpoint yet to resume from"), resumed.stderr)
        let again = try CommandRunner.wbdit(train)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("never reached its first checkpoint; starting it again"), again.stderr)
        XCTAssertEqual(try String(contentsOfFile: run + "/latest", encoding: .utf8), "step-2\n")
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: run).contains { $0.contains(".partial-") })
        // A run that has a checkpoint is still never replaced.
        let refused = try CommandRunner.wbdit(train)
        XCTAssertEqual(refused.status, 2, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("already holds a run"), refused.stderr)
    }

    /// Values that are not whole numbers but no logarithm left (estimated counts) are
    /// normalised as counts are, and the user is told.
    func testEstimatedCountsAreNormalisedWithANote() throws {
        let estimated = directory + "/estimated.h5ad"
        let values: [Float] = (0..<(40 * 20)).map { (i: Int) -> Float in Float((i / 20 + i % 20) % 4) * 37.3 }
        try AnnDataWriter.write(CellMatrix(cells: 40, genes: 20, values: values), to: estimated)
        let trained = try CommandRunner.wbdit(["train", "--data", estimated, "--run", directory + "/estimated", "--steps", "2"] + small)
        XCTAssertEqual(trained.status, 0, trained.stderr)
        XCTAssertTrue(trained.stderr.contains("note: \(estimated): values not whole numbers but up to 111.9"), trained.stderr)
        let config = try String(contentsOfFile: directory + "/estimated/config.json", encoding: .utf8)
        XCTAssertTrue(config.contains("log1p"), config)
    }

    /// Ctrl-C at the first moment the run exists, before its trainer runs: exit 130, and
    /// the run is never left stuck — it either resumes or starts again.
    func testCtrlCWhileTheRunIsCreatedLeavesAWayForward() throws {
        let run = directory + "/early"
        let train = ["train", "--data", data, "--run", run] + small
        let process = try CommandRunner.launch(train + ["--steps", "100000", "--checkpoint-every", "100000"])
        try CommandRunner.waitFor(interval: 0.001) { FileManager.default.fileExists(atPath: run) }
        process.interrupt()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 130)
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: run).contains { $0.contains(".partial-") })
        let resumed = try CommandRunner.wbdit(["train", "--run", run, "--resume", "--steps", "100002"])
        let restarted = resumed.status == 0 ? resumed : try CommandRunner.wbdit(train + ["--steps", "2"])
        XCTAssertEqual(restarted.status, 0, "resume: \(resumed.stderr) restart: \(restarted.stderr)")
    }

    /// Resuming asks for steps beyond the checkpoint; a length already reached is refused
    /// instead of reporting steps that were never trained.
    /// `--precision bf16` trains with BF16 products, says so in config.json, resumes in it
    /// and cannot be changed on a resume; `bench` times it.
    func testABF16RunFromTheCommandLine() throws {
        try XCTSkipUnless(ProductPrecision.bfloat16Runs, "this CPU has no AVX-512 BF16")
        let run = directory + "/bf16"
        let trained = try CommandRunner.wbdit(["train", "--data", data, "--run", run, "--steps", "4", "--precision", "bf16"] + small)
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/config.json"))) as? [String: Any]
        XCTAssertEqual(config?["productPrecision"] as? String, "bf16")
        let changed = try CommandRunner.wbdit(["train", "--run", run, "--resume", "--steps", "6", "--precision", "fp32"])
        XCTAssertEqual(changed.status, 2, changed.stderr)
        XCTAssertTrue(changed.stderr.contains("--precision cannot change"), changed.stderr)
        XCTAssertEqual(try CommandRunner.wbdit(["train", "--run", run, "--resume", "--steps", "6"]).status, 0)
        let bench = try CommandRunner.wbdit(["bench", "--genes", "20", "--patch", "4", "--hidden", "32", "--depth", "1", "--heads", "4",
                                             "--steps", "2", "--precision", "bf16", "--json"])
        XCTAssertEqual(bench.status, 0, bench.stderr)
        XCTAssertTrue(bench.stdout.contains("\"precision\":\"bf16\""), bench.stdout)
    }

    func testResumingToALengthAlreadyReachedIsRefused() throws {
        let run = directory + "/done"
        XCTAssertEqual(try CommandRunner.wbdit(["train", "--data", data, "--run", run, "--steps", "4"] + small).status, 0)
        for (arguments, text) in [([] as [String], "has finished its 4 steps"), (["--steps", "3"], "is already at step 4: a length of 3 steps"),
                                  (["--steps", "4"], "is already at step 4")] {
            let result = try CommandRunner.wbdit(["train", "--run", run, "--resume"] + arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(text), "\(arguments): \(result.stderr)")
        }
        XCTAssertEqual(try CommandRunner.wbdit(["train", "--run", run, "--resume", "--steps", "5"]).status, 0)
    }

    func testBadTrainingInputExitsTwo() throws {
        var values = [Float](repeating: 1, count: 40 * 20)
        values[7] = .infinity
        let bad = directory + "/bad.npy"
        try NumpyArray(shape: [40, 20], values: values).write(to: bad)
        let cases: [([String], String)] = [
            (["train", "--data", bad, "--run", directory + "/r1", "--steps", "2"] + small, "inf at cell 0, gene 7"),
            (["train", "--data", data, "--run", directory + "/r3", "--steps", "2", "--epochs", "1"] + small, "not both"),
            (["train", "--data", data, "--run", directory + "/none", "--resume"], "not a run directory"),
            (["train", "--data", data, "--run", directory + "/r4", "--steps", "2"] + small + ["--batch", "41"], "fewer than one batch"),
            (["sample", "--run", directory + "/none", "--n", "2", "--out", directory + "/x.npy"], "not a run directory"),
            (["sample", "--n", "2", "--out", directory + "/x.npy"], "give --checkpoint or --run"),
            (["train", "--data", data, "--run", directory + "/r5", "--steps", "2", "--recipe", "gpu"] + small, "'gpu' is invalid for '--recipe"),
            (["train", "--data", data, "--run", directory + "/r6", "--steps", "2", "--prediction", "x0"] + small, "'x0' is invalid for '--prediction"),
            (["train", "--data", data, "--run", directory + "/r7", "--steps", "2", "--min-snr=-1"] + small, "min-SNR γ must be positive"),
            (["train", "--data", data, "--run", directory + "/r8", "--steps", "2", "--timestep-power", "0.5"] + small, "timestep power must be in [1, 10]"),
            (["train", "--data", data, "--run", directory + "/r9", "--steps", "2", "--timestep-power", "nan"] + small, "timestep power must be in [1, 10]"),
            (["train", "--data", data, "--run", directory + "/r10", "--steps", "2", "--precision", "fp16"] + small, "'fp16' is invalid for '--precision"),
        ]
        for (arguments, text) in cases {
            let result = try CommandRunner.wbdit(arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(text), "\(arguments): “\(result.stderr)” does not mention “\(text)”")
        }
    }
}
