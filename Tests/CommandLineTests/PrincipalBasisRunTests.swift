import CellData
import Foundation
import TestSupport
import XCTest

/// `wbdit train --pca-basis`: the network works on the leading principal-component scores,
/// the run keeps the basis, and every way out of the run restores genes before clamping.
final class PrincipalBasisRunTests: XCTestCase {
    let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../CellDataTests/Fixtures/zeisel-slice.h5ad").standardized.path
    let small = ["--top-genes", "20", "--holdout", "0.2", "--patch", "5", "--hidden", "8", "--depth", "1", "--heads", "2",
                 "--batch", "8", "--pca-components", "12", "--threads", "1"]

    func cells(_ path: String) throws -> [Float] { try CellMatrix.load(npy: path).values }

    func testGeneratedScoresAreRestoredThenClampedAndTheRunResumesExactly() throws {
        let run = NSTemporaryDirectory() + "wbdit-pca-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: run) }
        let trained = try CommandRunner.wbdit(["train", "--data", fixture, "--run", run, "--steps", "4"] + small)
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let config = try String(contentsOfFile: run + "/config.json", encoding: .utf8)
        XCTAssertTrue(config.contains("\"principalBasis\" : true"), config)
        XCTAssertTrue(config.contains("\"principalComponents\" : 12"), config)
        let basis = try PrincipalBasis(npy: run + "/basis.npy", components: 12)
        XCTAssertEqual(basis.genes, 20)

        // The checkpoint alone generates scores; through the run they come back as genes.
        let sample = ["--n", "6", "--steps", "3", "--seed", "4"]
        let scores = try CommandRunner.wbdit(["sample", "--checkpoint", run + "/checkpoints/step-4.safetensors", "--no-clamp",
                                              "--out", run + "/scores.npy"] + sample)
        XCTAssertEqual(scores.status, 0, scores.stderr)
        XCTAssertTrue(scores.stderr.contains("generates principal-component scores, not genes"), scores.stderr)
        let named = try CommandRunner.wbdit(["sample", "--checkpoint", run + "/checkpoints/step-4.safetensors",
                                             "--out", run + "/scores.h5ad"] + sample)
        XCTAssertEqual(named.status, 0, named.stderr)
        XCTAssertEqual(Array(try AnnDataFile(path: run + "/scores.h5ad").names("var").prefix(2)), ["PC1", "PC2"])
        let network = ["--values", "network"]
        XCTAssertEqual(try CommandRunner.wbdit(["sample", "--run", run, "--no-clamp", "--out", run + "/genes.npy"] + network + sample).status, 0)
        XCTAssertEqual(try CommandRunner.wbdit(["sample", "--run", run, "--out", run + "/clamped.npy"] + network + sample).status, 0)
        var restored = try cells(run + "/scores.npy")
        basis.restore(&restored)
        let genes = try cells(run + "/genes.npy"), clamped = try cells(run + "/clamped.npy")
        XCTAssertEqual(try CellMatrix.load(npy: run + "/scores.npy").genes, 12, "the network is as wide as the components")
        XCTAssertEqual(try CellMatrix.load(npy: run + "/genes.npy").genes, 20)
        for (a, b) in zip(genes, restored) { XCTAssertEqual(a, b, accuracy: 1e-4) }
        XCTAssertEqual(clamped, genes.map { max(0, $0) })
        XCTAssertNotEqual(genes, try cells(run + "/scores.npy"), "the run's cells are genes, not the network's scores")
        let evaluated = try CommandRunner.wbdit(["eval", "--run", run, "--steps", "3", "--components", "5", "--json"])
        XCTAssertEqual(evaluated.status, 0, evaluated.stderr)

        // inspect --run probes the network with scores; the checkpoint alone only knows genes.
        let inspected = try CommandRunner.wbdit(["inspect", "--run", run, "--cells", "8"])
        XCTAssertEqual(inspected.status, 0, inspected.stderr)
        XCTAssertTrue(inspected.stdout.contains("8 cells"), inspected.stdout)
        let onGenes = try CommandRunner.wbdit(["inspect", "--checkpoint", run + "/checkpoints/step-4.safetensors",
                                               "--data", fixture, "--cells", "8"])
        XCTAssertEqual(onGenes.status, 0, onGenes.stderr)
        XCTAssertNotEqual(inspected.stdout, onGenes.stdout, "scores, not the first 12 genes")
        let both = try CommandRunner.wbdit(["inspect", "--run", run, "--data", fixture])
        XCTAssertEqual(both.status, 2)
        XCTAssertTrue(both.stderr.contains("give --run, or --checkpoint with --data"), both.stderr)

        // Two steps, then two more after a resume, end where four straight steps end.
        let split = run + "-split"
        defer { try? FileManager.default.removeItem(atPath: split) }
        XCTAssertEqual(try CommandRunner.wbdit(["train", "--data", fixture, "--run", split, "--steps", "2"] + small).status, 0)
        let resumed = try CommandRunner.wbdit(["train", "--data", fixture, "--run", split, "--resume", "--steps", "4"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(try CommandRunner.wbdit(["sample", "--run", split, "--no-clamp", "--out", split + "/genes.npy"] + network + sample).status, 0)
        XCTAssertEqual(try cells(split + "/genes.npy"), genes)
    }

    func testWhatAPrincipalBasisCannotDoIsAOneLineError() throws {
        let run = NSTemporaryDirectory() + "wbdit-pca-bad-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: run) }
        let streamed = try CommandRunner.wbdit(["train", "--data", fixture, "--run", run, "--steps", "1", "--streaming",
                                                "--block-cells", "16"] + small)
        XCTAssertEqual(streamed.status, 2)
        XCTAssertTrue(streamed.stderr.contains("need the cells read whole"), streamed.stderr)
        XCTAssertEqual(streamed.stderr.split(separator: "\n").count, 1, streamed.stderr)
        for (flags, message) in [(["--pca-components", "21"], "the data has 20 genes"),
                                 (["--pca-components", "0"], "at least 1"),
                                 (["--pca-components", "5", "--no-pca-basis"], "not --no-pca-basis")] {
            let refused = try CommandRunner.wbdit(["train", "--data", fixture, "--run", run + "-refused", "--steps", "1"] + small + flags)
            XCTAssertEqual(refused.status, 2, flags.joined(separator: " "))
            XCTAssertTrue(refused.stderr.contains(message), refused.stderr)
            XCTAssertEqual(refused.stderr.split(separator: "\n").count, 1, refused.stderr)
        }
        XCTAssertEqual(try CommandRunner.wbdit(["train", "--data", fixture, "--run", run, "--steps", "1"] + small).status, 0)
        let estimate = try CommandRunner.wbdit(["sample", "--run", run, "--n", "2", "--steps", "2", "--clamp-estimate",
                                                "--out", run + "/x.npy"])
        XCTAssertEqual(estimate.status, 2)
        XCTAssertTrue(estimate.stderr.contains("not principal-component scores"), estimate.stderr)
        try FileManager.default.removeItem(atPath: run + "/basis.npy")
        let lost = try CommandRunner.wbdit(["sample", "--run", run, "--n", "2", "--steps", "2", "--out", run + "/x.npy"])
        XCTAssertEqual(lost.status, 2)
        XCTAssertTrue(lost.stderr.contains("basis.npy cannot be read"), lost.stderr)
    }
}
