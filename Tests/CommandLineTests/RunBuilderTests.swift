import Diffusion
import Foundation
@testable import wbdit
@testable import Workbench
import XCTest

/// One run builder: `wbdit train`, `wbdit tui` and the workbench's new-run form give the
/// same plan for the same inputs — the measured default (small preset, fast recipe) when
/// nothing else is said.
final class RunBuilderTests: XCTestCase {
    let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../CellDataTests/Fixtures/dense.h5ad").standardized.path

    func testTheThreeEntryPointsBuildTheSamePlan() throws {
        for arch in ["wbdit", "dit"] {
            let fromTrain = try Train.parse(["--data", data, "--arch", arch, "--run", "runs/x"]).plan()
            guard case .start(let fromTUI, _) = try TUI.parse(["--data", data, "--arch", arch, "--run", "/nonexistent/x"]).opening() else {
                return XCTFail("tui did not start a run")
            }
            let handler = KeyHandler(runsFolder: NSTemporaryDirectory() + "wbdit-builder-\(UUID().uuidString)", themes: [])
            var form = handler.newRunForm(WorkbenchState())
            for i in form.fields.indices where form.fields[i].key == "data" { form.fields[i].value = data }
            for i in form.fields.indices where form.fields[i].key == "arch" { form.fields[i].value = arch }
            guard case .newRun(let fromForm, _) = try handler.submit(form, WorkbenchState()) else { return XCTFail("the form did not start a run") }
            XCTAssertEqual(fromTrain, fromTUI, arch)
            XCTAssertEqual(fromTrain, fromForm, arch)
            XCTAssertEqual(fromTrain.model.hiddenSize, 256)
            XCTAssertEqual(fromTrain.model.patchSize, 40)
            XCTAssertEqual(fromTrain.recipe, .fast)
            XCTAssertEqual(fromTrain.totalSteps, arch == "wbdit" ? 90000 : 38600)
        }
    }

    /// `tui --run PATH` opens the run there, or starts one at a free path; anything else at
    /// PATH is named (it was blamed on the default data file).
    func testTheWorkbenchNamesARunPathThatIsNoRun() throws {
        let file = NSTemporaryDirectory() + "wbdit-not-a-run-\(UUID().uuidString)"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        XCTAssertThrowsError(try TUI.parse(["--data", data, "--run", file]).opening()) {
            XCTAssertTrue("\($0)".contains("--run \(file) is not a run directory"), "\($0)")
        }
    }
}
