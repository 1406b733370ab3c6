import CellData
import Foundation
import TestSupport
import XCTest

/// A trained run is a model one can carry: it keeps the cells its uses read, so a copy of
/// it, with the training file gone, samples and evaluates byte for byte as before, and its
/// report and inspection still work; what it did not keep is refused in one line.
final class PortableRunTests: XCTestCase {
    /// A new folder holding train.h5ad (a slice of Zeisel's cells) and an empty elsewhere/.
    private func scratchFolder() throws -> String {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../CellDataTests/Fixtures/zeisel-slice.h5ad").standardized.path
        let folder = NSTemporaryDirectory() + "wbdit-portable-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/elsewhere", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: fixture, toPath: folder + "/train.h5ad")
        return folder
    }

    /// A run records its training file's absolute path: trained from a relative path, it
    /// finds the file from another working directory (here for labels from a column it did
    /// not keep).
    func testARunTrainedFromARelativePathFindsItsDataFromElsewhere() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let trained = try CommandRunner.wbdit(["train", "--data", "train.h5ad", "--run", "run", "--top-genes", "100", "--steps", "2",
                                               "--stratify", "level1", "--patch", "10", "--hidden", "16", "--depth", "1",
                                               "--heads", "2", "--batch", "8"], in: folder)
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/run/config.json"))) as? [String: Any]
        let recorded = try XCTUnwrap((config?["data"] as? [String: Any])?["path"] as? String)
        XCTAssertEqual(recorded, URL(fileURLWithPath: folder + "/train.h5ad").standardizedFileURL.path)
        let evaluated = try CommandRunner.wbdit(["eval", "--run", "../run", "--steps", "2", "--labels", "level2", "--json"],
                                                in: folder + "/elsewhere")
        XCTAssertEqual(evaluated.status, 0, evaluated.stderr)
    }

    func testACopiedRunWithoutItsDataSamplesAndEvaluatesAsBefore() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (data, run, copy) = (folder + "/train.h5ad", folder + "/run", folder + "/elsewhere/run")
        let trained = try CommandRunner.wbdit(["train", "--data", data, "--run", run, "--top-genes", "100", "--steps", "4",
                                               "--stratify", "level1", "--holdout", "0.2", "--patch", "10", "--hidden", "16",
                                               "--depth", "1", "--heads", "2", "--batch", "8"])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let kept = try KeptCells(folder: run)
        XCTAssertEqual(kept.cells, 201)
        XCTAssertEqual(kept.labelColumn, "level1")
        XCTAssertNotNil(kept.librarySizes, "the file held counts")
        XCTAssertTrue(FileManager.default.fileExists(atPath: run + "/count-model.safetensors"), "the fitted count model is kept")

        func useRun(_ path: String, _ tag: String) throws -> (sampled: Data, evaluation: Data) {
            let out = folder + "/\(tag).h5ad"
            let sampled = try CommandRunner.wbdit(["sample", "--run", path, "--n", "6", "--steps", "5", "--out", out])
            XCTAssertEqual(sampled.status, 0, sampled.stderr)
            let evaluated = try CommandRunner.wbdit(["eval", "--run", path, "--steps", "5", "--json"])
            XCTAssertEqual(evaluated.status, 0, evaluated.stderr)
            let file = try AnnDataFile(path: out)
            let matrix = try file.matrix()
            return (Data(matrix.values.withUnsafeBytes { Array($0) }) + Data(try file.numbers("library_size").map(\.bitPattern)
                .withUnsafeBytes { Array($0) }), Data(evaluated.stdout.utf8))
        }
        let before = try useRun(run, "before")
        try FileManager.default.copyItem(atPath: run, toPath: copy)
        try FileManager.default.removeItem(atPath: data)
        try FileManager.default.removeItem(atPath: run)
        let after = try useRun(copy, "after")
        XCTAssertEqual(after.sampled, before.sampled, "the same counts and library sizes")
        XCTAssertEqual(after.evaluation, before.evaluation, "the same figures")

        let report = try CommandRunner.wbdit(["report", "--run", copy, "--out", folder + "/report.html"])
        XCTAssertEqual(report.status, 0, report.stderr)
        let inspect = try CommandRunner.wbdit(["inspect", "--run", copy])
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        XCTAssertTrue(inspect.stdout.contains("sparsity"), inspect.stdout)

        // Labels the run did not keep need the training file, and say so in one line.
        let other = try CommandRunner.wbdit(["eval", "--run", copy, "--steps", "5", "--labels", "level2"])
        XCTAssertEqual(other.status, 2)
        XCTAssertTrue(other.stderr.contains("labels from level2 need its training file"), other.stderr)
        XCTAssertEqual(other.stderr.split(separator: "\n").count, 1, other.stderr)
        // Continuing training needs the data.
        let resumed = try CommandRunner.wbdit(["train", "--run", copy, "--resume", "--steps", "6"])
        XCTAssertNotEqual(resumed.status, 0)
        XCTAssertTrue(resumed.stderr.contains("train.h5ad"), resumed.stderr)

        // A count model deleted by hand is fitted again on the kept cells, once, with a note:
        // the same model, so the same figures.
        try FileManager.default.removeItem(atPath: copy + "/count-model.safetensors")
        let refitted = try CommandRunner.wbdit(["eval", "--run", copy, "--steps", "5", "--json"])
        XCTAssertEqual(refitted.status, 0, refitted.stderr)
        XCTAssertTrue(refitted.stderr.contains("lacked its count model"), refitted.stderr)
        XCTAssertEqual(Data(refitted.stdout.utf8), before.evaluation)
        let again = try CommandRunner.wbdit(["eval", "--run", copy, "--steps", "5", "--json"])
        XCTAssertFalse(again.stderr.contains("lacked"), again.stderr)
        // A damaged one is refused in one line naming it.
        try Data("not a model".utf8).write(to: URL(fileURLWithPath: copy + "/count-model.safetensors"))
        let broken = try CommandRunner.wbdit(["sample", "--run", copy, "--n", "2", "--steps", "2", "--out", folder + "/x.h5ad"])
        XCTAssertEqual(broken.status, 2)
        XCTAssertTrue(broken.stderr.contains("count-model.safetensors"), broken.stderr)
        XCTAssertEqual(broken.stderr.split(separator: "\n").count, 1, broken.stderr)
        try FileManager.default.removeItem(atPath: copy + "/count-model.safetensors")

        // A kept-cells file deleted by hand is named.
        try FileManager.default.removeItem(atPath: copy + "/cells.h5ad")
        let damaged = try CommandRunner.wbdit(["eval", "--run", copy, "--steps", "5"])
        XCTAssertEqual(damaged.status, 2)
        XCTAssertTrue(damaged.stderr.contains("cells.h5ad"), damaged.stderr)
    }
}
