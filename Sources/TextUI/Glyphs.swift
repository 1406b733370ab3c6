/// The characters lines, boxes and bars are drawn with: Unicode by default, plain ASCII
/// for terminals without UTF-8 (`--ascii`).
public struct Glyphs: Sendable, Equatable {
    public var horizontal, vertical, topLeft, topRight, bottomLeft, bottomRight: Unicode.Scalar
    /// Eighths of a horizontal bar, from one eighth to a full cell.
    public var barEighths: [Unicode.Scalar]
    /// Sparkline levels, lowest first.
    public var sparks: [Unicode.Scalar]
    public var usesBraille: Bool

    public static let unicode = Glyphs(
        horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘",
        barEighths: ["▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"],
        sparks: ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"], usesBraille: true)

    public static let ascii = Glyphs(
        horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+",
        barEighths: [" ", " ", " ", "=", "=", "=", "=", "#"],
        sparks: ["_", "_", ".", ".", "-", "-", "^", "^"], usesBraille: false)
}
