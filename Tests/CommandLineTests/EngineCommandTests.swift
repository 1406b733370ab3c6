import CellData
import Foundation
import Networks
import TestSupport
import XCTest

/// `wbdit forward`, `grad` and `bench` as a user runs them, on the PyTorch fixtures.
final class EngineCommandTests: XCTestCase {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../NetworksTests/Fixtures").standardized.path
    let configuration = "dit-g22-p4-d16-h2-l2"
    var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "wbdit-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    private var checkpoint: String { "\(fixtures)/\(configuration).safetensors" }
    private func reference() throws -> SafeTensorsFile { try SafeTensorsFile(contentsOf: "\(fixtures)/\(configuration).case.safetensors") }

    /// Writes the fixture's x, t and noise as .npy files; x in the reference's [B, 1, G] layout.
    private func writeInputs() throws -> (x: String, t: String, noise: String) {
        let r = try reference()
        let x = try r.floats("x"), t = try r.floats("t"), noise = try r.floats("noise")
        let paths = (x: directory + "/x.npy", t: directory + "/t.npy", noise: directory + "/noise.npy")
        try NumpyArray(shape: [t.count, 1, x.count / t.count], values: x).write(to: paths.x)
        try NumpyArray(shape: [t.count], values: t).write(to: paths.t)
        try NumpyArray(shape: [t.count, noise.count / t.count], values: noise).write(to: paths.noise)
        return paths
    }

    func testForwardWritesThePyTorchPrediction() throws {
        let inputs = try writeInputs()
        let out = directory + "/eps.npy"
        let result = try CommandRunner.wbdit(["forward", "--checkpoint", checkpoint, "--x", inputs.x, "--t", inputs.t, "--out", out])
        XCTAssertEqual(result.status, 0, result.stderr)
        let prediction = try NumpyArray(contentsOf: out)
        XCTAssertEqual(prediction.shape, [3, 22])
        XCTAssertLessThanOrEqual(relativeDifference(prediction.values, try reference().floats("output")), 1e-5)
    }

    func testGradPrintsTheLossAndWritesEveryTrainableGradient() throws {
        let inputs = try writeInputs()
        let out = directory + "/grads.safetensors"
        let result = try CommandRunner.wbdit(["grad", "--checkpoint", checkpoint, "--x", inputs.x, "--t", inputs.t,
                                              "--noise", inputs.noise, "--out", out])
        XCTAssertEqual(result.status, 0, result.stderr)
        let r = try reference()
        let printed = try XCTUnwrap(Double(result.stdout.replacingOccurrences(of: "loss", with: "").trimmingCharacters(in: .whitespacesAndNewlines)))
        XCTAssertEqual(printed, Double(try r.floats("loss")[0]), accuracy: 1e-5 * printed)
        let grads = try SafeTensorsFile(contentsOf: out)
        XCTAssertNil(grads.info("pos_embed"), "pos_embed is fixed")
        XCTAssertEqual(grads.tensors.count, 30)
        for tensor in grads.tensors {
            XCTAssertLessThanOrEqual(relativeDifference(try grads.floats(tensor.name), try r.floats("grad.\(tensor.name)")),
                                     1e-4, tensor.name)
        }
    }

    func testInspectReportsEveryLayer() throws {
        let inputs = try writeInputs()
        let result = try CommandRunner.wbdit(["inspect", "--checkpoint", checkpoint, "--data", inputs.x])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n")
        XCTAssertTrue(lines[0].hasPrefix("DiT 16/2/2, 3 cells"), result.stdout)
        XCTAssertEqual(lines.count, 4, "a header line, the table's header, and one row per layer")
        XCTAssertTrue(lines[1].contains("sparsity (|h| < 0.01)"))
        let wrong = try CommandRunner.wbdit(["inspect", "--checkpoint", checkpoint, "--data", fixtures + "/../../CellDataTests/Fixtures/float32.npy"])
        XCTAssertEqual(wrong.status, 2)
        XCTAssertTrue(wrong.stderr.contains("gives 3 genes per cell, but the checkpoint has 22"), wrong.stderr)
    }

    func testBenchReportsEveryFieldAsJSON() throws {
        let result = try CommandRunner.wbdit(["bench", "--arch", "dit", "--genes", "30", "--patch", "4", "--hidden", "16",
                                              "--depth", "1", "--heads", "2", "--batch", "2", "--steps", "2", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        for key in ["arch", "genes", "patch", "hidden", "depth", "heads", "batch", "steps", "threads",
                    "step_seconds_median", "gflop_per_step", "gflops_per_second", "sgemm_gflops_per_second", "peak_rss_bytes"] {
            XCTAssertNotNil(object[key], key)
        }
        XCTAssertEqual(object["arch"] as? String, "dit")
        XCTAssertGreaterThan(object["step_seconds_median"] as? Double ?? 0, 0)
    }

    func testEveryCommandsHelpShowsAnExample() throws {
        for command in [[], ["train"], ["sample"], ["eval"], ["tsne"], ["prep"], ["info"], ["inspect"], ["forward"], ["grad"], ["bench"]] {
            let result = try CommandRunner.wbdit(command + ["--help"])
            XCTAssertEqual(result.status, 0, "\(command)")
            XCTAssertTrue(result.stdout.contains("Example"), "\(command) --help has no example")
        }
    }

    // MARK: - Bad input: one line on stderr, exit status 2

    func testBadInputsExitWithStatusTwoAndOneLine() throws {
        let inputs = try writeInputs()
        let nan = directory + "/nan.npy", wide = directory + "/wide.npy", late = directory + "/late.npy"
        var values = try NumpyArray(contentsOf: inputs.x).values
        values[5] = .nan
        try NumpyArray(shape: [3, 22], values: values).write(to: nan)
        try NumpyArray(shape: [3, 23], values: [Float](repeating: 0, count: 69)).write(to: wide)
        try NumpyArray(shape: [3], values: [1, 2, 1000]).write(to: late)
        let truncated = directory + "/cut.safetensors"
        try Data(contentsOf: URL(fileURLWithPath: checkpoint)).prefix(500).write(to: URL(fileURLWithPath: truncated))
        let out = directory + "/out.npy"

        let cases: [([String], String)] = [
            (["forward", "--checkpoint", checkpoint, "--x", nan, "--t", inputs.t, "--out", out], "nan at cell 0, gene 5"),
            (["forward", "--checkpoint", checkpoint, "--x", wide, "--t", inputs.t, "--out", out], "has 23 genes per cell, but the model expects 22"),
            (["forward", "--checkpoint", checkpoint, "--x", inputs.x, "--t", late, "--out", out], "timestep 1000.0 is not an integer"),
            (["forward", "--checkpoint", truncated, "--x", inputs.x, "--t", inputs.t, "--out", out], "truncated"),
            (["forward", "--checkpoint", directory + "/none", "--x", inputs.x, "--t", inputs.t, "--out", out], "no such file"),
            (["forward", "--checkpoint", checkpoint, "--x", inputs.x, "--t", inputs.t, "--labels", inputs.t, "--out", out], "unconditional"),
            (["forward", "--checkpoint", checkpoint, "--x", inputs.x, "--t", inputs.t, "--out", directory + "/no/dir/y.npy"], "No such file or directory"),
            (["grad", "--checkpoint", checkpoint, "--x", inputs.x, "--t", inputs.t, "--noise", wide, "--out", directory + "/g.safetensors"], "23 genes"),
            (["grad", "--checkpoint", checkpoint, "--x", inputs.x, "--t", inputs.t, "--noise", inputs.x, "--out", out], "--out must name a .safetensors file"),
            (["forward", "--checkpoint", checkpoint, "--x", inputs.x, "--t", inputs.t, "--out", directory + "/eps.txt"], "--out must name a .npy file"),
            (["sample", "--checkpoint", checkpoint, "--n", "2", "--out", directory + "/cells.txt"], "--out must name an .h5ad, .npy or .csv file"),
            (["forward", "--checkpoint", checkpoint, "--x", inputs.x], "Missing expected argument"),
            (["bench", "--hidden", "30", "--heads", "4"], "must be a positive multiple of 4"),
            (["bench", "--hidden", "32", "--heads", "3"], "must divide into 3 heads"),
            (["bench", "--arch", "transformer"], "transformer"),
            (["bench", "--threads", "0"], "--threads must be between 1 and 256"),
            (["bench", "--batch", "-3"], "--batch"),
            (["sing"], "sing"),
        ]
        for (arguments, text) in cases {
            let result = try CommandRunner.wbdit(arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(text), "\(arguments): “\(result.stderr)” does not mention “\(text)”")
            XCTAssertEqual(result.stderr.filter { $0 == "\n" }.count, 1, "\(arguments): not one line: \(result.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), "\(arguments) wrote output")
        }
    }
}
