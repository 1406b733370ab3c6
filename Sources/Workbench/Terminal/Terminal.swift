import CNCursesW
import Foundation
import TextUI

/// The terminal through ncurses: it copies a `TextGrid` to the screen (only the cells that
/// changed since the last frame), turns the theme's colours into colour pairs at the
/// terminal's depth, and reads keys. Nothing else in the workbench touches ncurses.
final class Terminal {
    private(set) var depth: ColourDepth
    private var theme: Theme
    private var pairs: [PairKey: Int32] = [:]
    private var previous: TextGrid?
    private(set) var isOpen = false
    let glyphs: Glyphs

    private struct PairKey: Hashable { let foreground: Role, background: Role }

    /// Opens the screen. `ascii` draws without braille and box characters; it is forced
    /// when the locale is not UTF-8.
    init(theme: Theme, ascii: Bool) {
        setlocale(LC_ALL, "")
        let utf8 = String(cString: nl_langinfo(nl_item(CODESET))).uppercased().replacingOccurrences(of: "-", with: "") == "UTF8"
        glyphs = (ascii || !utf8) ? .ascii : .unicode
        self.theme = theme
        depth = .none
        initscr()
        isOpen = true
        cbreak()
        noecho()
        nonl()
        keypad(stdscr, true)
        curs_set(0)
        timeout(100)
        ESCDELAY = 25
        depth = Self.detectDepth()
        applyTheme(theme)
    }

    private static func detectDepth() -> ColourDepth {
        if ProcessInfo.processInfo.environment["NO_COLOR"].map({ !$0.isEmpty }) ?? false { return .none }
        guard has_colors() else { return .none }
        start_color()
        use_default_colors()
        let colours = wbdit_colours()
        if colours >= 0x1000000 { return .trueColour }
        if colours >= 256 { return .palette256 }
        if colours >= 8 { return .basic8 }
        return .none
    }

    /// Uses `theme` from the next frame on (redrawing everything).
    func applyTheme(_ theme: Theme) {
        self.theme = theme
        pairs = [:]
        previous = nil
        clear()
    }

    private var usesColour: Bool { depth != .none && !theme.monochrome }

    private func pair(_ style: Style) -> Int32 {
        guard usesColour else { return 0 }
        let key = PairKey(foreground: style.foreground, background: style.background)
        if let pair = pairs[key] { return pair }
        let number = Int32(pairs.count + 1)
        guard number < wbdit_colour_pairs() else { return 0 }
        init_extended_pair(number, Int32(depth.index(of: theme[style.foreground])), Int32(depth.index(of: theme[style.background])))
        pairs[key] = number
        return number
    }

    private func attributes(_ style: Style) -> UInt32 {
        var a: UInt32 = 0
        if style.bold { a |= wbdit_attr_bold() }
        // Without colour, selection and emphasis show as reverse video.
        if style.reverse || (!usesColour && (style.background == .selected || style.background == .title)) { a |= wbdit_attr_reverse() }
        return a
    }

    var size: (width: Int, height: Int) { (Int(wbdit_columns()), Int(wbdit_rows())) }

    /// Copies the cells of `grid` that differ from the last frame, then refreshes once.
    func draw(_ grid: TextGrid) {
        let full = previous == nil || previous!.width != grid.width || previous!.height != grid.height
        for y in 0..<grid.height {
            for x in 0..<grid.width {
                let cell = grid[x, y]
                if !full, previous![x, y] == cell { continue }
                _ = wbdit_put(Int32(y), Int32(x), cell.character.value, pair(cell.style), attributes(cell.style))
            }
        }
        previous = grid
        refresh()
    }

    /// Forgets the last frame so the next draw repaints everything (after a resize).
    func invalidate() {
        previous = nil
        clear()
    }

    /// The next key, or nil when none arrives within the input timeout (100 ms).
    func readKey() -> Key? {
        var value: UInt32 = 0
        let status = wbdit_read(&value)
        if status == ERR { return nil }
        if status == KEY_CODE_YES {
            switch Int32(value) {
            case KEY_UP: return .up
            case KEY_DOWN: return .down
            case KEY_LEFT: return .left
            case KEY_RIGHT: return .right
            case KEY_PPAGE: return .pageUp
            case KEY_NPAGE: return .pageDown
            case KEY_HOME: return .home
            case KEY_END: return .end
            case KEY_BTAB: return .backTab
            case KEY_ENTER: return .enter
            case KEY_BACKSPACE: return .backspace
            case KEY_RESIZE: return .resize
            default: return nil
            }
        }
        switch value {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 3: return .interrupt
        default:
            guard let scalar = Unicode.Scalar(value), value >= 32 else { return nil }
            return .character(Character(scalar))
        }
    }

    /// Gives the terminal back as it was.
    func close() {
        guard isOpen else { return }
        isOpen = false
        curs_set(1)
        endwin()
    }
}
