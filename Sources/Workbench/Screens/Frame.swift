import Foundation
import TextUI

/// The parts of every screen: the header (all screens, the current one marked, the run
/// and its status) and the footer (the screen's keys, or the latest message).
enum Frame {
    /// Below this size the screen only asks to be enlarged.
    static let minimumWidth = 80, minimumHeight = 24

    /// Draws the header and footer and returns the body between them.
    static func draw(_ state: WorkbenchState, _ view: ViewState, keys: String, into grid: inout TextGrid) -> Rect {
        let width = grid.width
        grid.fill(Rect(x: 0, y: 0, width: width, height: 1), " ", Style(.foreground, on: .selected))
        var x = 1
        for screen in ScreenID.allCases {
            let label = " \(screen.rawValue) \(screen.title) "
            let current = screen == view.screen
            x += grid.text(label, x: x, y: 0, current ? Style(.background, on: .title, bold: true) : Style(.foreground, on: .selected))
        }
        var status = "\(state.runName) · \(state.status.label)"
        if x + 2 + status.count >= width { status = state.status.label }
        let statusRole: Role = {
            switch state.status {
            case .failed: return .error
            case .paused, .starting: return .warning
            case .running: return .ok
            default: return .foreground
            }
        }()
        if x + 2 + status.count < width {
            grid.text(status, right: width - 1, y: 0, Style(statusRole, on: .selected, bold: true))
        }
        let footer = grid.height - 1
        if let message = state.message {
            grid.text(message.text, x: 1, y: footer, Style(message.isError ? .error : .muted), limit: width - 2)
        } else {
            grid.text(keys, x: 1, y: footer, Style(.muted), limit: width - 2)
        }
        return Rect(x: 0, y: 1, width: width, height: grid.height - 2)
    }

    /// The message shown instead of the screens when the terminal is too small.
    static func drawTooSmall(into grid: inout TextGrid) {
        let message = ["Please enlarge the terminal", "to at least \(minimumWidth) × \(minimumHeight)",
                       "(now \(grid.width) × \(grid.height)); q quits"]
        // Wrapped at word boundaries when even these lines do not fit.
        let lines = message.enumerated().flatMap { i, line in
            HelpScreen.wrap(line, width: grid.width, first: true, rest: grid.width).map { (i == 0, $0) }
        }
        for (row, (first, line)) in lines.enumerated() {
            let y = max(0, min(grid.height / 2 - 1, grid.height - lines.count)) + row
            grid.text(line, x: max(0, (grid.width - line.count) / 2), y: y, Style(first ? .warning : .foreground, bold: first))
        }
    }

    /// "label value" pairs in a row, values bold; returns the column after the last.
    @discardableResult
    static func fields(_ pairs: [(String, String)], x: Int, y: Int, into grid: inout TextGrid, limit: Int) -> Int {
        var column = x
        for (label, value) in pairs {
            guard column + label.count + value.count + 1 < x + limit else { break }
            column += grid.text(label + " ", x: column, y: y, Style(.muted))
            column += grid.text(value, x: column, y: y, Style(.foreground, bold: true))
            column += 3
        }
        return column
    }

    /// "12:03:04 (2 min ago)".
    static func clock(_ date: Date, now: Date) -> String {
        let formatter = DateFormatter()   // per call: it follows the current time zone
        formatter.dateFormat = "HH:mm:ss"
        return "\(formatter.string(from: date)) (\(Format.duration(max(0, now.timeIntervalSince(date)))) ago)"
    }
}
