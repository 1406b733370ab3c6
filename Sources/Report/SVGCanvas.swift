import Foundation
import TextUI

/// An SVG image built element by element, in user units (1 unit = 1 CSS pixel at its
/// natural size): the report's charts draw into one each. Text is escaped; numbers are
/// written to 0.1 unit, which keeps large scatter plots small.
public struct SVGCanvas {
    public let width: Double
    public let height: Double
    private(set) var elements: [String] = []

    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    static func number(_ v: Double) -> String {
        let rounded = (v * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.1f", rounded)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    public mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ colour: RGB, width: Double = 1,
                              dashed: Bool = false) {
        let n = Self.number
        elements.append("<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(colour.hex)\" stroke-width=\"\(n(width))\"\(dashed ? " stroke-dasharray=\"4 3\"" : "")/>")
    }

    public mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: RGB? = nil, stroke: RGB? = nil,
                              className: String? = nil) {
        let n = Self.number
        elements.append("<rect\(className.map { " class=\"\($0)\"" } ?? "") x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(w))\" height=\"\(n(h))\" fill=\"\(fill?.hex ?? "none")\"\(stroke.map { " stroke=\"\($0.hex)\"" } ?? "")/>")
    }

    /// `anchor`: start, middle or end; `rotated` turns the text a quarter turn anticlockwise.
    public mutating func text(_ text: String, _ x: Double, _ y: Double, _ colour: RGB, size: Double = 11,
                              anchor: String = "start", rotated: Bool = false, bold: Bool = false) {
        let n = Self.number
        let turn = rotated ? " transform=\"rotate(-90 \(n(x)) \(n(y)))\"" : ""
        elements.append("<text x=\"\(n(x))\" y=\"\(n(y))\" fill=\"\(colour.hex)\" font-size=\"\(n(size))\" text-anchor=\"\(anchor)\"\(bold ? " font-weight=\"bold\"" : "")\(turn)>\(Self.escape(text))</text>")
    }

    /// A polyline through `points` (already in canvas units).
    public mutating func polyline(_ points: [(Double, Double)], _ colour: RGB, width: Double = 1.5, opacity: Double = 1) {
        guard points.count >= 2 else { return }
        let n = Self.number
        let path = points.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
        elements.append("<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(colour.hex)\" stroke-width=\"\(n(width))\" stroke-opacity=\"\(String(format: "%.2f", opacity))\" stroke-linejoin=\"round\"/>")
    }

    /// Dots of one colour as one path (a zero-length round-capped segment each): thousands
    /// of points stay a few bytes apiece.
    public mutating func dots(_ points: [(Double, Double)], _ colour: RGB, radius: Double = 2, opacity: Double = 0.8,
                              className: String = "points") {
        guard !points.isEmpty else { return }
        let n = Self.number
        let path = points.map { "M\(n($0.0)) \(n($0.1))h0" }.joined()
        elements.append("<path class=\"\(className)\" d=\"\(path)\" stroke=\"\(colour.hex)\" stroke-width=\"\(n(2 * radius))\" stroke-linecap=\"round\" stroke-opacity=\"\(String(format: "%.2f", opacity))\" fill=\"none\"/>")
    }

    /// The image as an inline `<svg>` element, with an accessible title.
    public func svg(title: String) -> String {
        let n = Self.number
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(n(width)) \(n(height))\" width=\"\(n(width))\" height=\"\(n(height))\" role=\"img\" aria-label=\"\(Self.escape(title))\"><title>\(Self.escape(title))</title>"
            + elements.joined() + "</svg>"
    }
}
