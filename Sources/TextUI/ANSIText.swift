/// A grid as text with ANSI colour escapes (256-colour foregrounds from a theme), for
/// commands that draw on standard output without taking over the terminal.
public enum ANSIText {
    public static func render(_ grid: TextGrid, theme: Theme = .dark) -> String {
        var out = ""
        for y in 0..<grid.height {
            var line = "", current: Int?
            var lastVisible = -1
            for x in 0..<grid.width where grid[x, y].character != " " { lastVisible = x }
            for x in 0...max(0, lastVisible) where lastVisible >= 0 {
                let cell = grid[x, y]
                let colour = cell.character == " " ? nil : ColourDepth.palette256.index(of: theme[cell.style.foreground])
                if colour != current, let colour { line += "\u{1B}[38;5;\(colour)m"; current = colour }
                line.unicodeScalars.append(cell.character)
            }
            out += line + (current == nil ? "" : "\u{1B}[0m") + "\n"
        }
        return out
    }
}
