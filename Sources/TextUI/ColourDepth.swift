/// How many colours the terminal shows, and the nearest terminal colour to an RGB value.
public enum ColourDepth: Equatable, Sendable {
    /// 24-bit colour (a direct-colour terminal).
    case trueColour
    /// The xterm 256-colour palette.
    case palette256
    /// The eight ANSI colours.
    case basic8
    /// No colour at all (`NO_COLOR`, or a terminal without colour): attributes only.
    case none

    /// The terminal colour number for `rgb` at this depth.
    public func index(of rgb: RGB) -> Int {
        switch self {
        case .trueColour:
            return Int(rgb.red) << 16 | Int(rgb.green) << 8 | Int(rgb.blue)
        case .palette256:
            return Self.nearest256(rgb)
        case .basic8:
            return Self.nearest8(rgb)
        case .none:
            return -1
        }
    }

    private static let cubeLevels = [0, 95, 135, 175, 215, 255]

    /// The nearest of xterm's 6×6×6 colour cube (16–231) and grey ramp (232–255).
    static func nearest256(_ c: RGB) -> Int {
        func level(_ v: UInt8) -> Int { cubeLevels.enumerated().min { abs($0.element - Int(v)) < abs($1.element - Int(v)) }!.offset }
        let (r, g, b) = (level(c.red), level(c.green), level(c.blue))
        let cube = (cubeLevels[r], cubeLevels[g], cubeLevels[b])
        let mean = (Int(c.red) + Int(c.green) + Int(c.blue)) / 3
        let greyIndex = max(0, min(23, (mean - 8 + 5) / 10))
        let grey = 8 + 10 * greyIndex
        func distance(_ x: (Int, Int, Int)) -> Int {
            let (dr, dg, db) = (x.0 - Int(c.red), x.1 - Int(c.green), x.2 - Int(c.blue))
            return dr * dr + dg * dg + db * db
        }
        return distance((grey, grey, grey)) < distance(cube) ? 232 + greyIndex : 16 + 36 * r + 6 * g + b
    }

    /// The nearest of the eight ANSI colours (black, red, green, yellow, blue, magenta, cyan, white).
    static func nearest8(_ c: RGB) -> Int {
        let (r, g, b) = (Double(c.red), Double(c.green), Double(c.blue))
        let high = max(r, g, b), low = min(r, g, b)
        if high - low < 40 { return high < 100 ? 0 : 7 }  // greys: black or white
        let threshold = (high + low) / 2
        return (r > threshold ? 1 : 0) | (g > threshold ? 2 : 0) | (b > threshold ? 4 : 0)
    }
}
