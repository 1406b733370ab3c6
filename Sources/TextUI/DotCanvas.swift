/// A plotting surface of dots, 2 × 4 per character cell, each dot with a colour role.
/// A cell whose dots share one colour is drawn as a braille character; a cell where two
/// colours meet is drawn as a half block (upper half one colour, lower half the other),
/// so no dot takes another's colour. In ASCII mode dots become `.`, `o` and `#` by density.
public struct DotCanvas {
    public let columns: Int
    public let rows: Int
    /// Dots across and down.
    public var dotWidth: Int { columns * 2 }
    public var dotHeight: Int { rows * 4 }
    private var dots: [Role?]

    public init(columns: Int, rows: Int) {
        self.columns = max(0, columns)
        self.rows = max(0, rows)
        dots = Array(repeating: nil, count: self.columns * 2 * self.rows * 4)
    }

    /// Sets the dot at (x, y), y downwards; outside the canvas it is ignored.
    public mutating func set(_ x: Int, _ y: Int, _ role: Role) {
        guard x >= 0, y >= 0, x < dotWidth, y < dotHeight else { return }
        dots[y * dotWidth + x] = role
    }

    /// A straight line of dots between two points (Bresenham).
    public mutating func line(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, _ role: Role) {
        var (x, y) = (x0, y0)
        let dx = abs(x1 - x0), dy = -abs(y1 - y0)
        let sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
        var error = dx + dy
        for _ in 0...(dx - dy) {
            set(x, y, role)
            if x == x1 && y == y1 { break }
            let e2 = 2 * error
            if e2 >= dy { error += dy; x += sx }
            if e2 <= dx { error += dx; y += sy }
        }
    }

    private static let brailleBits: [[UInt32]] = [[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]]

    /// Copies the canvas into `grid` with its top-left cell at (x, y).
    public func draw(into grid: inout TextGrid, x: Int, y: Int, background: Role = .background) {
        for row in 0..<rows {
            for column in 0..<columns {
                var bits: UInt32 = 0, count = 0
                var top: [Role: Int] = [:], bottom: [Role: Int] = [:]
                for dy in 0..<4 {
                    for dx in 0..<2 {
                        guard let role = dots[(row * 4 + dy) * dotWidth + column * 2 + dx] else { continue }
                        bits |= Self.brailleBits[dy][dx]
                        count += 1
                        if dy < 2 { top[role, default: 0] += 1 } else { bottom[role, default: 0] += 1 }
                    }
                }
                guard count > 0 else { continue }
                let roles = Set(top.keys).union(bottom.keys)
                let major = { (d: [Role: Int]) in d.max { ($0.value, $1.key.rawValue) < ($1.value, $0.key.rawValue) }?.key }
                if !grid.glyphs.usesBraille {
                    let mark: Unicode.Scalar = count <= 2 ? "." : count <= 5 ? "o" : "#"
                    let role = major(top.merging(bottom, uniquingKeysWith: +))!
                    grid.put(mark, x: x + column, y: y + row, Style(role, on: background))
                } else if roles.count == 1 {
                    grid.put(Unicode.Scalar(0x2800 + bits)!, x: x + column, y: y + row, Style(roles.first!, on: background))
                } else {
                    let upper = major(top) ?? major(bottom)!, lower = major(bottom) ?? upper
                    grid.put("▀", x: x + column, y: y + row, Style(upper, on: lower))
                }
            }
        }
    }
}
