import Analysis
import Diffusion
import Foundation
import TestSupport
import Workbench
import XCTest

/// Run directories written by earlier versions of wbdit (Fixtures/old-runs, each named by
/// the commit that wrote it: white-box runs on principal-component scores from d983394 and
/// 4c7ecb0, a conditional DiT from 4c7ecb0, a white-box run that keeps its cells and count
/// model from 9605283, each 4 steps with checkpoints at 2 and 4 and a
/// report.json from `wbdit eval --run`) still open, summarise, report and resume exactly.
final class OldRunTests: XCTestCase {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path
    var data: String { fixtures + "/../../CellDataTests/Fixtures/zeisel-slice.h5ad" }
    let runs = ["whitebox-pca-d983394", "whitebox-pca-4c7ecb0", "dit-conditional-4c7ecb0", "whitebox-counts-9605283"]
    /// The commit of the first fixture that keeps its cells and count model.
    let keepingRun = "9605283"

    func copy(_ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "wbdit-old-\(name)-\(UUID().uuidString)"
        try FileManager.default.copyItem(atPath: fixtures + "/old-runs/" + name, toPath: path)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    /// The loss of each step in a run's metrics.jsonl.
    func losses(_ run: String) throws -> [Int: Double] {
        var losses: [Int: Double] = [:]
        for line in try String(contentsOfFile: run + "/metrics.jsonl", encoding: .utf8).split(separator: "\n") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            if let step = object?["step"] as? Int, let loss = object?["loss"] as? Double { losses[step] = loss }
        }
        return losses
    }

    func testOldRunsOpenAndTheirReportsRead() throws {
        for name in runs {
            let run = try copy(name)
            let summary = try RunCatalogue.summary(of: run)
            XCTAssertEqual(summary.stepsDone, 4, name)
            XCTAssertEqual(summary.totalSteps, 4, name)
            // Every key/key_floor pair the old report.json holds is a figure, with its value.
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/report.json")))
                as? [String: Any])
            let pairs = object.keys.filter { $0.hasSuffix("_floor") }.map { String($0.dropLast(6)) }.filter { object[$0] != nil }
            let report = try XCTUnwrap(EvaluationReport.read(run + "/report.json"), name)
            XCTAssertEqual(report.figures.map(\.key), pairs.sorted(), name)
            // Foundation's two JSON readers may differ in the last bit of a 17-digit number.
            let mmd = try XCTUnwrap((object["mmd2_rbf"] as? NSNumber)?.doubleValue, name)
            XCTAssertEqual(try XCTUnwrap(report.figure("mmd2_rbf")?.generated, name), mmd, accuracy: 1e-15 * abs(mmd), name)
            XCTAssertEqual(summary.metrics.map(\.key), pairs.sorted(), name)
            XCTAssertEqual(report.realCells, object["real_cells"] as? Int, name)
            // Written again and read back, the report is the same report.
            let again = try JSONDecoder().decode(EvaluationReport.self, from: try report.encoded())
            XCTAssertEqual(again.figures.map(\.key), report.figures.map(\.key), name)
            for (a, b) in zip(again.figures, report.figures) {
                XCTAssertTrue(a.generated == b.generated || (a.generated.isNaN && b.generated.isNaN), "\(name) \(a.key)")
            }
            if name.hasPrefix("dit-conditional") {
                XCTAssertEqual(report.perLabel?.count, (object["per_label"] as? [Any])?.count, name)
                XCTAssertFalse(summary.perType.isEmpty, name)
                XCTAssertNotNil(report.figure("type_accuracy"), name)
            }
            let page = run + "/report.html"
            let written = try CommandRunner.wbdit(["report", "--run", run, "--out", page])
            XCTAssertEqual(written.status, 0, "\(name): \(written.stderr)")
            XCTAssertTrue(try String(contentsOfFile: page, encoding: .utf8).contains("<svg"), name)
            // What runs now keep is computed once from an old run's data, with a note, and kept.
            let lacked = !name.hasSuffix(keepingRun)
            XCTAssertEqual(written.stderr.contains("lacked the cells its uses read and its count model"), lacked, "\(name): \(written.stderr)")
            for kept in ["cells.h5ad", "cells.json", "count-model.safetensors"] {
                XCTAssertTrue(FileManager.default.fileExists(atPath: run + "/" + kept), "\(name): \(kept)")
            }
            let reopened = try CommandRunner.wbdit(["sample", "--run", run, "--n", "3", "--steps", "2", "--out", run + "/cells.npy"])
            XCTAssertEqual(reopened.status, 0, "\(name): \(reopened.stderr)")
            XCTAssertFalse(reopened.stderr.contains("lacked"), "\(name): \(reopened.stderr)")
        }
    }

    /// Put back to its step-2 checkpoint, each old run resumes to step 4 with the losses the
    /// old version logged (to the rounding of today's kernels), then extends to step 6.
    func testOldRunsResumeExactly() throws {
        for name in runs {
            let run = try copy(name)
            let logged = try losses(run)
            try "step-2\n".write(toFile: run + "/latest", atomically: true, encoding: .utf8)
            let resumed = try CommandRunner.wbdit(["train", "--resume", "--run", run, "--data", data])
            XCTAssertEqual(resumed.status, 0, "\(name): \(resumed.stderr)")
            let again = try losses(run)
            for step in 1...4 {
                let (old, new) = (try XCTUnwrap(logged[step], name), try XCTUnwrap(again[step], "\(name) step \(step)"))
                XCTAssertEqual(new, old, accuracy: 1e-5 * max(1, abs(old)), "\(name) step \(step)")
            }
            let extended = try CommandRunner.wbdit(["train", "--resume", "--run", run, "--data", data, "--steps", "6"])
            XCTAssertEqual(extended.status, 0, "\(name): \(extended.stderr)")
            XCTAssertEqual(try losses(run).keys.max(), 6, name)
        }
    }
}
