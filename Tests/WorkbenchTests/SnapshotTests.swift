import Foundation
import Diffusion
import TextUI
import Workbench
import XCTest

/// Every screen rendered from the scripted run into the text grid at 80×24 and 160×48,
/// compared with the committed text in Snapshots/. Set WBDIT_RECORD_SNAPSHOTS=1 to
/// rewrite them after a deliberate change, then read the diff.
final class SnapshotTests: XCTestCase {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots").path
    let now = ScriptedRun.start.addingTimeInterval(130)

    override func setUp() {
        NSTimeZone.default = TimeZone(identifier: "UTC")!
    }

    func assertSnapshot(_ grid: TextGrid, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let path = folder + "/" + name + ".txt"
        let text = grid.dump()
        if ProcessInfo.processInfo.environment["WBDIT_RECORD_SNAPSHOTS"] == "1" {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(text, expected, "\(name) differs from Snapshots/\(name).txt; got:\n\(text)", file: file, line: line)
    }

    func testEveryScreenAtBothSizes() throws {
        let state = try ScriptedRun.state()
        for screen in ScreenID.allCases {
            var view = ViewState()
            view.screen = screen
            for (width, height) in [(80, 24), (160, 48)] {
                let grid = WorkbenchView.render(state, view, width: width, height: height, now: now)
                try assertSnapshot(grid, "\(screen.title.lowercased())-\(width)x\(height)")
            }
        }
    }

    /// A large run's map shows a fixed draw of its held-out cells, and says so.
    func testTheMapOfALargeRunSaysHowManyCellsItShows() throws {
        var state = try ScriptedRun.state()
        var view = ViewState()
        view.screen = .cells
        let shown = try XCTUnwrap(state.reference).count
        state.reference?.heldOutTotal = 100_000
        let title = WorkbenchView.render(state, view, width: 160, height: 48, now: now).dump().split(separator: "\n")[1]
        XCTAssertTrue(title.contains("t-SNE of \(shown) of 100000 held-out cells"), String(title))
        state.reference?.heldOutTotal = shown
        XCTAssertTrue(WorkbenchView.render(state, view, width: 160, height: 48, now: now).dump().contains("t-SNE of held-out cells ·"))
    }

    func testASCIIModeAndTooSmallTerminal() throws {
        let state = try ScriptedRun.state()
        var view = ViewState()
        view.screen = .cells
        view.colourByLabel = true
        try assertSnapshot(WorkbenchView.render(state, view, width: 80, height: 24, glyphs: .ascii, now: now), "cells-ascii-80x24")
        try assertSnapshot(WorkbenchView.render(state, view, width: 79, height: 24, now: now), "too-small-79x24")
        // Far too small: the message wraps at words instead of being cut.
        let lines = WorkbenchView.render(state, view, width: 20, height: 8, now: now).dump().split(separator: "\n")
        XCTAssertEqual(lines.map { $0.trimmingCharacters(in: .whitespaces) },
                       ["Please enlarge the", "terminal", "to at least 80 × 24", "(now 20 × 8); q", "quits"])
    }

    /// The Layers screen once the run's units are read: the second layer's atoms, by specificity.
    func testLayersWithTheUnitsOfOneLayer() throws {
        var state = try ScriptedRun.state()
        state.apply(.units(ScriptedRun.units()))
        var view = ViewState()
        view.screen = .layers
        view.selectedLayer = 1
        try assertSnapshot(WorkbenchView.render(state, view, width: 160, height: 48, now: now), "layers-units-160x48")
        // `/` for a gene: the units of every layer that track it, strongest first.
        view.geneQuery = "gene20"
        try assertSnapshot(WorkbenchView.render(state, view, width: 160, height: 48, now: now), "layers-gene-160x48")
        // m on a unit: the held-out cells coloured by its activation.
        view.geneQuery = nil
        let handler = KeyHandler(runsFolder: "runs-none", themes: ["dark"])
        _ = handler.handle(.right, state, &view)
        _ = handler.handle(.character("m"), state, &view)
        XCTAssertEqual(view.screen, .cells)
        XCTAssertEqual(view.colourByUnit?.layer, 1)
        XCTAssertEqual(view.colourByUnit?.unit, 4, "the second most specific atom of layer 2")
        try assertSnapshot(WorkbenchView.render(state, view, width: 160, height: 48, now: now), "cells-unit-160x48")
        _ = handler.handle(.character("t"), state, &view)
        XCTAssertNil(view.colourByUnit, "t goes back to source and type")
        // Too little room at 80×24: the profiles stay, the panel waits for a larger terminal.
        XCTAssertEqual(WorkbenchView.render(state, view, width: 80, height: 24, now: now).dump(),
                       WorkbenchView.render(try ScriptedRun.state(), view, width: 80, height: 24, now: now).dump())
    }

    func testDiTLabelsAndEmptyStart() throws {
        var view = ViewState()
        view.screen = .layers
        try assertSnapshot(WorkbenchView.render(try ScriptedRun.state(architecture: .dit), view, width: 80, height: 24, now: now),
                           "layers-dit-80x24")
        view.screen = .train
        try assertSnapshot(WorkbenchView.render(WorkbenchState(), view, width: 80, height: 24, now: now), "train-empty-80x24")
    }

    func testFormsAndQuestionsOverTheScreen() throws {
        let state = try ScriptedRun.state()
        var view = ViewState()
        view.modal = .confirmQuit
        try assertSnapshot(WorkbenchView.render(state, view, width: 80, height: 24, now: now), "quit-80x24")
        let handler = KeyHandler(runsFolder: "runs-none", themes: ["dark"])
        view.modal = .form(handler.newRunForm(state))
        try assertSnapshot(WorkbenchView.render(state, view, width: 80, height: 24, now: now), "new-run-80x24")
    }

    /// A conditional run: the sample form's type list, cells coloured by the type asked for,
    /// and the per-type accuracies on Compare.
    func testAConditionalRun() throws {
        var state = try ScriptedRun.state()
        state.config?.labelAttributes = LabelAttributes(columns: ["level1"], classes: [ScriptedRun.labels])
        state.reference?.typeCounts = ["astrocytes": 198, "microglia": 98, "neurons": 1200, "oligodendrocytes": 820]
        let handler = KeyHandler(runsFolder: "runs-none", themes: ["dark"])
        var view = ViewState()
        _ = handler.handle(.character("s"), state, &view)
        for key: Key in [.down, .down, .down, .right, .right] { _ = handler.handle(key, state, &view) }
        try assertSnapshot(WorkbenchView.render(state, view, width: 80, height: 24, now: now), "sample-types-80x24")
        var samples = try XCTUnwrap(state.samples)
        samples.requested = (0..<samples.count).map { ScriptedRun.labels[$0 % 4] }
        state.samples = samples
        view = ViewState()
        view.screen = .cells
        view.colourByLabel = true
        try assertSnapshot(WorkbenchView.render(state, view, width: 80, height: 24, now: now), "cells-asked-types-80x24")
        state.runs[0].perType = [("neurons", 0.93, 0.97), ("oligodendrocytes", 0.88, 0.99), ("astrocytes", 0.71, 0.9),
                                 ("microglia", 0.4, 0.8)]
        view.screen = .compare
        try assertSnapshot(WorkbenchView.render(state, view, width: 160, height: 48, now: now), "compare-types-160x48")
    }
}
