/// One character cell of the screen.
public struct GridCell: Equatable, Sendable {
    public var character: Unicode.Scalar
    public var style: Style

    public init(_ character: Unicode.Scalar = " ", _ style: Style = .plain) {
        self.character = character
        self.style = style
    }
}

/// A rectangle of character cells.
public struct Rect: Equatable, Sendable {
    public var x, y, width, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        (self.x, self.y, self.width, self.height) = (x, y, max(0, width), max(0, height))
    }
    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    /// The rectangle less `n` cells on every side.
    public func inset(_ n: Int) -> Rect { Rect(x: x + n, y: y + n, width: width - 2 * n, height: height - 2 * n) }
    /// Splits off the top `rows` rows: (top, rest).
    public func splitTop(_ rows: Int) -> (Rect, Rect) {
        let r = min(rows, height)
        return (Rect(x: x, y: y, width: width, height: r), Rect(x: x, y: y + r, width: width, height: height - r))
    }
    /// Splits off the left `columns` columns: (left, rest).
    public func splitLeft(_ columns: Int) -> (Rect, Rect) {
        let c = min(columns, width)
        return (Rect(x: x, y: y, width: c, height: height), Rect(x: x + c, y: y, width: width - c, height: height))
    }
}

/// The in-memory screen every view draws into. A terminal backend copies it out; tests
/// dump it as text. Writes outside the grid are clipped, never errors.
public struct TextGrid: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [GridCell]
    public var glyphs: Glyphs

    public init(width: Int, height: Int, glyphs: Glyphs = .unicode) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.glyphs = glyphs
        cells = Array(repeating: GridCell(), count: self.width * self.height)
    }

    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    public subscript(x: Int, y: Int) -> GridCell {
        get { cells[y * width + x] }
        set { if x >= 0 && y >= 0 && x < width && y < height { cells[y * width + x] = newValue } }
    }

    public mutating func put(_ character: Unicode.Scalar, x: Int, y: Int, _ style: Style = .plain) {
        self[x, y] = GridCell(character, style)
    }

    /// Stand-ins for the non-ASCII characters the screens use, in ASCII mode.
    static let asciiFallback: [Unicode.Scalar: Unicode.Scalar] = [
        "·": "-", "×": "x", "²": "2", "…": ".", "─": "-", "│": "|", "↑": "^", "↓": "v", "●": "*", "■": "#",
        "█": "#", "›": ">", "ε": "e", "θ": "t", "ρ": "r", "σ": "s", "¼": "/", "½": "/", "ᵀ": "T", "°": "o",
    ]

    /// Writes `text` from (x, y), cut at `limit` cells (and at the grid's edge). In ASCII
    /// mode non-ASCII characters become a stand-in, or `?`; a character two columns wide
    /// becomes `?` and one of no width is left out (`terminalWidth`).
    /// Returns the number of cells written.
    @discardableResult
    public mutating func text(_ text: String, x: Int, y: Int, _ style: Style = .plain, limit: Int = .max) -> Int {
        var column = 0
        for scalar in text.unicodeScalars {
            guard column < limit, x + column < width else { break }
            let width = scalar.terminalWidth
            if width == 0 { continue }
            let shown: Unicode.Scalar = width == 2 ? "?"
                : (!glyphs.usesBraille && !scalar.isASCII) ? Self.asciiFallback[scalar] ?? "?" : scalar
            put(shown, x: x + column, y: y, style)
            column += 1
        }
        return column
    }

    /// `text` right-aligned to end at column `right` (exclusive).
    public mutating func text(_ text: String, right: Int, y: Int, _ style: Style = .plain) {
        self.text(text, x: right - text.unicodeScalars.filter { $0.terminalWidth > 0 }.count, y: y, style)
    }

    public mutating func fill(_ rect: Rect, _ character: Unicode.Scalar = " ", _ style: Style = .plain) {
        for y in rect.y..<rect.maxY { for x in rect.x..<rect.maxX { put(character, x: x, y: y, style) } }
    }

    /// A frame around `rect` with an optional title in its top edge.
    public mutating func box(_ rect: Rect, title: String? = nil, _ style: Style = Style(.border)) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        let g = glyphs
        for x in (rect.x + 1)..<(rect.maxX - 1) {
            put(g.horizontal, x: x, y: rect.y, style)
            put(g.horizontal, x: x, y: rect.maxY - 1, style)
        }
        for y in (rect.y + 1)..<(rect.maxY - 1) {
            put(g.vertical, x: rect.x, y: y, style)
            put(g.vertical, x: rect.maxX - 1, y: y, style)
        }
        put(g.topLeft, x: rect.x, y: rect.y, style)
        put(g.topRight, x: rect.maxX - 1, y: rect.y, style)
        put(g.bottomLeft, x: rect.x, y: rect.maxY - 1, style)
        put(g.bottomRight, x: rect.maxX - 1, y: rect.maxY - 1, style)
        if let title, rect.width > 4 {
            text(" \(title) ", x: rect.x + 1, y: rect.y, Style(.title, bold: true), limit: rect.width - 2)
        }
    }

    /// A horizontal bar of `fraction` (0…1) of `width` cells, in eighths.
    public mutating func bar(fraction: Double, x: Int, y: Int, width: Int, _ style: Style) {
        let eighths = Int((max(0, min(1, fraction.isFinite ? fraction : 0)) * Double(width * 8)).rounded())
        for c in 0..<width {
            let filled = min(8, max(0, eighths - 8 * c))
            put(filled == 0 ? " " : glyphs.barEighths[filled - 1], x: x + c, y: y, style)
        }
    }

    /// The grid as text, one line per row, trailing spaces dropped.
    public func dump() -> String {
        (0..<height).map { y in
            var line = String.UnicodeScalarView()
            for x in 0..<width { line.append(self[x, y].character) }
            var s = String(line)
            while s.hasSuffix(" ") { s.removeLast() }
            return s
        }.joined(separator: "\n") + "\n"
    }
}
