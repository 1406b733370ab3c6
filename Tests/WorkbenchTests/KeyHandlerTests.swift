import Diffusion
import TextUI
import Foundation
import Kernels
import Workbench
import XCTest

/// Keys change the view and ask for actions; none of them can leave the view inconsistent.
final class KeyHandlerTests: XCTestCase {
    let handler = KeyHandler(runsFolder: NSTemporaryDirectory() + "wbdit-keys-none", themes: ["dark", "light", "monochrome"])

    func testNumbersTabAndShiftTabMoveBetweenScreens() throws {
        let state = try ScriptedRun.state()
        var view = ViewState()
        for screen in ScreenID.allCases {
            XCTAssertNil(handler.handle(.character(Character(String(screen.rawValue))), state, &view))
            XCTAssertEqual(view.screen, screen)
        }
        _ = handler.handle(.tab, state, &view)
        XCTAssertEqual(view.screen, .train)
        _ = handler.handle(.backTab, state, &view)
        XCTAssertEqual(view.screen, .help)
    }

    /// On the Layers screen ↑/↓ pick the layer whose units are listed, within the network's depth (3).
    func testArrowsPickTheLayerWithinTheDepth() throws {
        let state = try ScriptedRun.state()
        var view = ViewState()
        view.screen = .layers
        for (key, layer) in [(Key.down, 1), (.down, 2), (.down, 2), (.up, 1), (.home, 0), (.end, 2)] {
            _ = handler.handle(key, state, &view)
            XCTAssertEqual(view.selectedLayer, layer, "\(key)")
        }
        // `/` asks for a gene; Enter keeps it for the panel.
        _ = handler.handle(.character("/"), state, &view)
        for c in "GNLY" { _ = handler.handle(.character(c), state, &view) }
        _ = handler.handle(.enter, state, &view)
        XCTAssertEqual(view.geneQuery, "GNLY")
        XCTAssertNil(view.modal)
    }

    func testQuitAsksWhileARunIsActiveAndCheckpointsOnYes() throws {
        var state = try ScriptedRun.state()
        var view = ViewState()
        XCTAssertNil(handler.handle(.character("q"), state, &view))
        guard case .confirmQuit = view.modal else { return XCTFail("no question") }
        XCTAssertNil(handler.handle(.character("x"), state, &view))
        guard case .quit(let checkpoint)? = handler.handle(.character("y"), state, &view) else { return XCTFail("no quit") }
        XCTAssertTrue(checkpoint)
        state.apply(.status(.finished("done")))
        view = ViewState()
        guard case .quit(false)? = handler.handle(.character("q"), state, &view) else { return XCTFail("should quit at once") }
    }

    func testTrainKeysChangeSmoothingScaleAndWindowWithinBounds() throws {
        let state = try ScriptedRun.state()
        var view = ViewState()
        for _ in 0..<20 { _ = handler.handle(.character("+"), state, &view) }
        XCTAssertEqual(view.smoothing, LossSmoothing.strengths.count - 1)
        for _ in 0..<20 { _ = handler.handle(.character("-"), state, &view) }
        XCTAssertEqual(view.smoothing, 0)
        _ = handler.handle(.character("l"), state, &view)
        XCTAssertTrue(view.logScale)
        _ = handler.handle(.character("z"), state, &view)
        XCTAssertEqual(view.window, .last1000)
        guard case .send(.pause)? = handler.handle(.character(" "), state, &view) else { return XCTFail("space pauses") }
    }

    func testANewRunFollowsTheCurrentRunsRecipeUnderTheFormsValues() throws {
        let state = try ScriptedRun.state()
        var view = ViewState()
        _ = handler.handle(.character("n"), state, &view)
        guard case .newRun(let plan, _)? = handler.handle(.enter, state, &view) else { return XCTFail("no new run") }
        XCTAssertEqual(plan.recipe, .fast)
        XCTAssertEqual(plan.predictionTarget, .velocity)
        XCTAssertEqual(plan.warmupSteps, 200)
        XCTAssertTrue(plan.cosineDecay)
        XCTAssertEqual(plan.gradientClip, 1)
        XCTAssertEqual(plan.learningRate, state.config?.learningRate.peakRate, "the form's rate, prefilled from the run")
        XCTAssertEqual(plan.precision, .float32)
    }

    /// The products field is a choice: → picks bf16, which the new run's plan takes (or, on
    /// a CPU without AVX-512 BF16, the form refuses, saying why).
    func testANewRunsProductsAreChosenWithTheArrows() throws {
        let state = try ScriptedRun.state()
        var view = ViewState()
        _ = handler.handle(.character("n"), state, &view)
        guard case .form(var form)? = view.modal else { return XCTFail("no form") }
        while form.fields[form.focus].key != "precision" { _ = form.handle(.down) }
        _ = form.handle(.right)
        XCTAssertEqual(form["precision"], "bf16")
        _ = form.handle(.character("x"))
        XCTAssertEqual(form["precision"], "bf16", "a choice is not typed")
        view.modal = .form(form)
        let action = handler.handle(.enter, state, &view)
        if ProductPrecision.bfloat16Runs {
            guard case .newRun(let plan, _)? = action else { return XCTFail("no new run") }
            XCTAssertEqual(plan.precision, .bfloat16)
        } else {
            guard case .form(let refused)? = view.modal else { return XCTFail("the form should stay open") }
            XCTAssertTrue(refused.error?.contains("AVX-512 BF16") ?? false, "\(String(describing: refused.error))")
        }
    }

    func testSampleFormValidatesAndSubmits() throws {
        let state = try ScriptedRun.state()
        var view = ViewState()
        _ = handler.handle(.character("s"), state, &view)
        for _ in 0..<5 { _ = handler.handle(.backspace, state, &view) }
        for c in "0" { _ = handler.handle(.character(c), state, &view) }
        XCTAssertNil(handler.handle(.enter, state, &view))
        guard case .form(let form)? = view.modal else { return XCTFail("the form closed on a bad value") }
        XCTAssertEqual(form.error, "cells must be a whole number from 1 to 5000")
        _ = handler.handle(.backspace, state, &view)
        for c in "25" { _ = handler.handle(.character(c), state, &view) }
        guard case .sample(let cells, let settings, .none, .plain)? = handler.handle(.enter, state, &view) else { return XCTFail("no sample") }
        XCTAssertEqual(cells, 25)
        XCTAssertEqual(settings.method, .ddim)
        XCTAssertEqual(settings.steps, 50)
        XCTAssertNil(view.modal)
    }

    /// A run directory that cannot be made is refused in the form, before the training on
    /// screen is stopped for the new run.
    func testANewRunWhereNoFolderCanBeMadeIsRefusedInTheForm() throws {
        let state = try ScriptedRun.state()
        let file = NSTemporaryDirectory() + "wbdit-keys-\(UUID().uuidString)"
        FileManager.default.createFile(atPath: file, contents: Data())
        defer { try? FileManager.default.removeItem(atPath: file) }
        for (path, reason) in [("/proc/wbdit-x1/run", "cannot create /proc/wbdit-x1: No such file or directory"),
                               (file + "/run", "cannot create \(file)/run: \(file) is a file")] {
            var view = ViewState()
            _ = handler.handle(.character("n"), state, &view)
            _ = handler.handle(.up, state, &view)   // round to the last field, the run directory
            for _ in 0..<200 { _ = handler.handle(.backspace, state, &view) }
            for c in path { _ = handler.handle(.character(c), state, &view) }
            XCTAssertNil(handler.handle(.enter, state, &view))
            guard case .form(let form)? = view.modal else { return XCTFail("the form closed on \(path)") }
            XCTAssertEqual(form.error, reason)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/proc/wbdit-x1"))
    }

    /// DDPM takes the schedule's 1000 steps whatever the steps field says (it is DDIM's).
    func testTheSampleFormChecksStepsOnlyForDDIM() throws {
        let state = try ScriptedRun.state()
        var view = ViewState()
        _ = handler.handle(.character("s"), state, &view)
        _ = handler.handle(.down, state, &view)
        for _ in 0..<4 { _ = handler.handle(.backspace, state, &view) }
        for c in "ddpm" { _ = handler.handle(.character(c), state, &view) }
        _ = handler.handle(.down, state, &view)
        for c in "000" { _ = handler.handle(.character(c), state, &view) }   // 50000
        guard case .sample(_, let settings, _, _)? = handler.handle(.enter, state, &view) else { return XCTFail("ddpm refused") }
        XCTAssertEqual(settings.method, .ddpm)
        XCTAssertEqual(settings.steps, 1000)
        _ = handler.handle(.character("s"), state, &view)
        _ = handler.handle(.down, state, &view)
        _ = handler.handle(.down, state, &view)
        for c in "000" { _ = handler.handle(.character(c), state, &view) }
        XCTAssertNil(handler.handle(.enter, state, &view))
        guard case .form(let form)? = view.modal else { return XCTFail("ddim accepted 50000 steps") }
        XCTAssertEqual(form.error, "DDIM steps must be a whole number from 1 to 999")
    }

    func testATwoColumnRunsSampleFormListsCombinationsAndEachValueAlone() throws {
        var state = try ScriptedRun.state()
        state.config?.labelAttributes = LabelAttributes(columns: ["type", "donor"], classes: [["B", "T"], ["d1", "d2"]])
        state.reference?.typeCounts = ["type=B,donor=d1": 30, "type=T,donor=d2": 50]
        var view = ViewState()
        _ = handler.handle(.character("s"), state, &view)
        guard case .form(let form)? = view.modal else { return XCTFail("no form") }
        XCTAssertEqual(form.fields.first { $0.key == "type" }?.choices,
                       ["all combinations (training mix)", "type=T,donor=d2 · 50 real", "type=B,donor=d1 · 30 real",
                        "type=B · others left out", "type=T · others left out", "donor=d1 · others left out",
                        "donor=d2 · others left out", "none (unconditional)"])
        for _ in 0..<3 { _ = handler.handle(.down, state, &view) }
        for _ in 0..<5 { _ = handler.handle(.right, state, &view) }           // … donor=d1 alone
        guard case .sample(_, _, .one("donor=d1"), .plain)? = handler.handle(.enter, state, &view) else { return XCTFail("not donor=d1") }
    }

    func testAConditionalRunsSampleFormListsTheTypesWithTheirCounts() throws {
        var state = try ScriptedRun.state()
        state.config?.labelAttributes = LabelAttributes(columns: ["level1"], classes: [ScriptedRun.labels])
        state.reference?.typeCounts = ["astrocytes": 198, "microglia": 98, "neurons": 1200, "oligodendrocytes": 820]
        var view = ViewState()
        _ = handler.handle(.character("s"), state, &view)
        guard case .form(let form)? = view.modal else { return XCTFail("no form") }
        XCTAssertEqual(form.fields.first { $0.key == "type" }?.choices,
                       ["all types (training mix)", "neurons · 1200 real", "oligodendrocytes · 820 real", "astrocytes · 198 real",
                        "microglia · 98 real", "none (unconditional)"])
        for _ in 0..<3 { _ = handler.handle(.down, state, &view) }            // to the type field
        for _ in 0..<4 { _ = handler.handle(.right, state, &view) }           // … microglia
        _ = handler.handle(.character("x"), state, &view)                     // a choice is not typed
        _ = handler.handle(.down, state, &view)                               // to guidance
        _ = handler.handle(.backspace, state, &view)
        _ = handler.handle(.character("3"), state, &view)
        let screen = WorkbenchView.render(state, view, width: 80, height: 24)
        XCTAssertTrue(screen.dump().contains("◂ microglia · 98 real ▸"), screen.dump())
        guard case .sample(_, _, .one("microglia"), Guidance(3))? = handler.handle(.enter, state, &view) else { return XCTFail("no microglia") }
        // Round the list the other way: ← from the first entry reaches the last.
        _ = handler.handle(.character("s"), state, &view)
        for _ in 0..<3 { _ = handler.handle(.down, state, &view) }
        _ = handler.handle(.left, state, &view)
        guard case .sample(_, _, .none, .plain)? = handler.handle(.enter, state, &view) else { return XCTFail("not unconditional") }
    }

    func testSelectionsStayInRangeAndSearchSetsTheGene() throws {
        let state = try ScriptedRun.state()
        var view = ViewState()
        view.screen = .samples
        for _ in 0..<50 { _ = handler.handle(.down, state, &view) }
        XCTAssertEqual(view.selectedSample, 19)
        _ = handler.handle(.pageUp, state, &view)
        XCTAssertEqual(view.selectedSample, 9)
        _ = handler.handle(.home, state, &view)
        XCTAssertEqual(view.selectedSample, 0)
        _ = handler.handle(.character("/"), state, &view)
        for c in "gene7" { _ = handler.handle(.character(c), state, &view) }
        _ = handler.handle(.enter, state, &view)
        XCTAssertEqual(view.geneQuery, "gene7")
    }

    func testEveryKeyOnEveryScreenIsSafe() throws {
        let states = [WorkbenchState(), try ScriptedRun.state()]
        let keys: [Key] = [.up, .down, .left, .right, .pageUp, .pageDown, .home, .end, .tab, .backTab, .enter, .escape,
                           .backspace, .resize, .interrupt] + "abcdefghijklmnopqrstuvwxyz0123456789 +-=/?!é".map { .character($0) }
        for state in states {
            for screen in ScreenID.allCases {
                for key in keys {
                    var view = ViewState()
                    view.screen = screen
                    _ = handler.handle(key, state, &view)
                    for follow in keys.prefix(16) { _ = handler.handle(follow, state, &view) }
                    _ = WorkbenchView.render(state, view, width: 80, height: 24)
                }
            }
        }
    }

    func testHelpThemePickerSetsTheTheme() throws {
        let state = try ScriptedRun.state()
        var view = ViewState()
        view.screen = .help
        _ = handler.handle(.character("t"), state, &view)
        _ = handler.handle(.down, state, &view)
        guard case .setTheme("light")? = handler.handle(.enter, state, &view) else { return XCTFail("no theme") }
        XCTAssertEqual(view.themeName, "light")
    }
}
