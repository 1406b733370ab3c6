import Foundation
import Workbench
import XCTest

/// The state follows the events: a run being opened replaces the one on screen.
final class WorkbenchStateTests: XCTestCase {
    /// A new run that fails to start is shown as that run's failure: the run that was on
    /// screen before it (stopped with a checkpoint) did not fail.
    func testARunThatFailsToOpenIsTheOneShownFailed() throws {
        var state = try ScriptedRun.state()
        XCTAssertNotNil(state.config)
        XCTAssertFalse(state.steps.isEmpty)
        state.apply(.opening(path: "/runs/x1"))
        state.apply(.status(.failed("cannot create /runs/x1: Permission denied")))
        XCTAssertEqual(state.runName, "x1")
        XCTAssertNil(state.config)
        XCTAssertTrue(state.steps.isEmpty)
        let screen = WorkbenchView.render(state, ViewState(), width: 80, height: 24).dump()
        XCTAssertTrue(screen.contains("x1 · failed"), screen)
        XCTAssertFalse(screen.contains("demo"), screen)
    }
}
