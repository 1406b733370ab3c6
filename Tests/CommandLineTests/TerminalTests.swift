import Foundation
import TestSupport
import XCTest

/// The product in a real terminal: the built binary runs inside tmux, which the test
/// drives with keys and reads back as text, as a user at an 80×24 terminal would see it.
final class TerminalTests: XCTestCase {
    let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../CellDataTests/Fixtures/zeisel-slice.h5ad").standardized.path
    let socket = "wbdit-test-\(UUID().uuidString.prefix(8))"

    static let tmuxPath = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Runs tmux and returns what it printed. Spawned and reaped directly (posix_spawn and
    /// waitpid): `new-session` leaves a server running that inherits the child's descriptors,
    /// which would keep Foundation's Process waiting.
    @discardableResult
    func tmux(_ arguments: [String]) throws -> String {
        let output = NSTemporaryDirectory() + "\(socket)-\(UUID().uuidString).out"
        defer { try? FileManager.default.removeItem(atPath: output) }
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([Self.tmuxPath!, "-L", socket] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, Self.tmuxPath!, &actions, nil, argv, environ) == 0 else {
            throw XCTSkip("could not start tmux")
        }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
    }

    func screen() throws -> String { try tmux(["capture-pane", "-p", "-t", "wb"]) }

    /// Waits until the screen satisfies `condition`; fails with the last screen if it never does.
    @discardableResult
    func waitForScreen(_ what: String, seconds: Double = 60, _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var text = ""
        while Date() < deadline {
            text = try screen()
            if condition(text) { return text }
            Thread.sleep(forTimeInterval: 0.2)
        }
        XCTFail("timed out waiting for \(what); the screen:\n\(text)")
        throw XCTSkip("stopping after the failure above")
    }

    func step(in text: String) -> Int? {
        guard let range = text.range(of: #"step (\d+)/"#, options: .regularExpression) else { return nil }
        return Int(text[range].dropFirst(5).dropLast())
    }

    override func tearDown() {
        _ = try? tmux(["kill-server"])
    }

    /// Starts `command` — given the built binary's path — in the tmux session `wb` of
    /// `columns` × `rows`; false (and a failure) when tmux is missing.
    func startInTmux(columns: Int, rows: Int, _ command: (String) -> String) throws -> Bool {
        guard Self.tmuxPath != nil else {
            XCTFail("tmux is missing: `make test` installs it (it gives this test a real terminal)")
            return false
        }
        let binary = CommandRunner.productsDirectory.appendingPathComponent("wbdit").path
        try tmux(["new-session", "-d", "-s", "wb", "-x", String(columns), "-y", String(rows), command(binary)])
        return true
    }

    func testStartsTrainingVisitsEveryScreenResizesAndQuitsCleanly() throws {
        let runs = NSTemporaryDirectory() + "wbdit-tui-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: runs) }
        guard try startInTmux(columns: 80, rows: 24, { binary in
            "env LANG=C.UTF-8 TERM=xterm-256color '\(binary)' tui --runs '\(runs)' --preset tiny --data '\(self.fixture)' " +
                "--stratify level1 --threads 1; echo EXIT=$? > '\(runs)/exit'; sleep 60"
        }) else { return }

        // It starts on Train and the step counter advances.
        let first = try waitForScreen("training to start") { $0.contains("1 Train") && (step(in: $0) ?? 0) >= 1 }
        XCTAssertTrue(first.contains("Loss (MSE"), first)
        let started = step(in: first)!
        try waitForScreen("the step counter to advance") { (step(in: $0) ?? 0) > started }

        // Number keys reach every screen; Tab wraps round to Train.
        for (key, marker) in [("2", "Per layer"), ("3", "t-SNE of held-out cells"), ("4", "Generated cells"),
                              ("5", "Runs in runs/"), ("6", "Help")] {
            try tmux(["send-keys", "-t", "wb", key])
            try waitForScreen("screen \(key)") { $0.contains(marker) }
        }
        try tmux(["send-keys", "-t", "wb", "Tab"])
        try waitForScreen("Tab to wrap to Train") { $0.contains("Loss (MSE") }

        // A resize re-lays the screen; too small a terminal gets a message, not a broken screen.
        try tmux(["resize-window", "-t", "wb", "-x", "100", "-y", "30"])
        try waitForScreen("the 100-column layout") { text in
            text.split(separator: "\n").contains { $0.hasPrefix("└") && $0.count == 100 }
        }
        try tmux(["resize-window", "-t", "wb", "-x", "60", "-y", "20"])
        try waitForScreen("the enlarge message") { $0.contains("Please enlarge the terminal") }
        try tmux(["resize-window", "-t", "wb", "-x", "80", "-y", "24"])
        try waitForScreen("the 80-column layout") { text in
            text.split(separator: "\n").contains { $0.hasPrefix("└") && $0.count == 80 }
        }

        // q asks first; y writes a checkpoint and leaves with status 0.
        try tmux(["send-keys", "-t", "wb", "q"])
        try waitForScreen("the quit question") { $0.contains("quit? y/n") }
        try tmux(["send-keys", "-t", "wb", "y"])
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: runs + "/exit") && Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
        XCTAssertEqual(try String(contentsOfFile: runs + "/exit", encoding: .utf8), "EXIT=0\n")
        let run = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: runs).first { $0.hasPrefix("wbdit-tiny-") })
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: runs + "/" + run + "/checkpoints")
        XCTAssertTrue(checkpoints.contains { $0.hasSuffix(".optim.safetensors") }, "\(checkpoints)")

        // The terminal is given back: main screen, cursor shown, keypad mode off.
        let modes = try tmux(["display-message", "-p", "-t", "wb", "#{alternate_on} #{cursor_flag} #{keypad_flag}"])
        XCTAssertEqual(modes.trimmingCharacters(in: .whitespacesAndNewlines), "0 1 0")
    }

    /// `train`'s progress line, redrawn in place, stays one row on a terminal narrower than
    /// the line: a line that wrapped left a row behind at every step.
    func testTrainProgressStaysOneRowOnANarrowTerminal() throws {
        let run = NSTemporaryDirectory() + "wbdit-narrow-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: run) }
        guard try startInTmux(columns: 60, rows: 20, { binary in
            "env LANG=C.UTF-8 '\(binary)' train --data '\(self.fixture)' --preset tiny --steps 100000 --threads 1 " +
                "--readout-every 1000000 --checkpoint-every 1000000 --run '\(run)'; sleep 60"
        }) else { return }
        let text = try waitForScreen("200 steps") { (step(in: $0) ?? 0) >= 200 }
        let rows = text.split(separator: "\n").filter { $0.contains("/100000") }
        XCTAssertEqual(rows.count, 1, text)
        XCTAssertTrue(rows.first?.contains("ETA") == true, "the ETA is among what fits in 60 columns: \(text)")
    }
}
