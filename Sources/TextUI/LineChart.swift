import Foundation

/// A line chart of one or more series against x, with labelled y ticks at 1-2-5 values
/// on the left and the x range below, drawn with dots.
public struct LineChart {
    public struct Series {
        public var points: [(x: Double, y: Double)]
        public var role: Role
        public init(_ points: [(x: Double, y: Double)], role: Role) { self.points = points; self.role = role }
    }

    public var series: [Series]
    public var logarithmic = false
    public var xLabel = ""

    public init(series: [Series], logarithmic: Bool = false, xLabel: String = "") {
        self.series = series
        self.logarithmic = logarithmic
        self.xLabel = xLabel
    }

    /// Draws the chart filling `rect`.
    public func draw(into grid: inout TextGrid, _ rect: Rect) {
        let usable = series.map { s in s.points.filter { $0.y.isFinite && (!logarithmic || $0.y > 0) } }
        let all = usable.flatMap { $0 }
        guard rect.width >= 12, rect.height >= 4 else { return }
        guard let minX = all.map(\.x).min(), let maxX = all.map(\.x).max(),
              var low = all.map(\.y).min(), var high = all.map(\.y).max() else {
            grid.text("no data yet", x: rect.x + 2, y: rect.y + rect.height / 2, Style(.muted))
            return
        }
        let t: (Double) -> Double = logarithmic ? { log10($0) } : { $0 }
        if high <= low { (low, high) = logarithmic ? (low / 2, high * 2) : (low - 0.5, high + 0.5) }
        let ticks = logarithmic ? Ticks.logarithmic(low, high) : Ticks.linear(low, high, count: max(2, rect.height / 3))
        let labels = ticks.map(Ticks.label)
        let labelWidth = (labels.map { $0.count }.max() ?? 1) + 1
        let plot = Rect(x: rect.x + labelWidth + 1, y: rect.y, width: rect.width - labelWidth - 1, height: rect.height - 1)
        var canvas = DotCanvas(columns: plot.width, rows: plot.height)
        let (yLow, yHigh) = (t(low), t(high))
        let xSpan = max(maxX - minX, 1e-12)
        func dot(_ p: (x: Double, y: Double)) -> (Int, Int) {
            let dx = Int(((p.x - minX) / xSpan * Double(canvas.dotWidth - 1)).rounded())
            let dy = Int(((yHigh - t(p.y)) / (yHigh - yLow) * Double(canvas.dotHeight - 1)).rounded())
            return (dx, dy)
        }
        for (s, points) in zip(series, usable) {
            var previous: (Int, Int)?
            for p in points {
                let d = dot(p)
                if let q = previous { canvas.line(q.0, q.1, d.0, d.1, s.role) } else { canvas.set(d.0, d.1, s.role) }
                previous = d
            }
        }
        for (v, label) in zip(ticks, labels) {
            let row = plot.y + Int(((yHigh - t(v)) / (yHigh - yLow) * Double(plot.height - 1)).rounded())
            grid.text(label, right: rect.x + labelWidth, y: row, Style(.muted))
            grid.put(grid.glyphs.vertical == "|" ? "+" : "┤", x: plot.x - 1, y: row, Style(.border))
        }
        for row in plot.y..<plot.maxY where grid[plot.x - 1, row].character == " " {
            grid.put(grid.glyphs.vertical, x: plot.x - 1, y: row, Style(.border))
        }
        canvas.draw(into: &grid, x: plot.x, y: plot.y)
        let axis = rect.maxY - 1
        grid.text(Ticks.label(minX), x: plot.x, y: axis, Style(.muted))
        grid.text(Ticks.label(maxX), right: plot.maxX, y: axis, Style(.muted))
        if !xLabel.isEmpty { grid.text(xLabel, x: plot.x + (plot.width - xLabel.count) / 2, y: axis, Style(.muted)) }
    }
}

/// A one-row history: each character one value, scaled between the series' min and max.
public enum Sparkline {
    public static func draw(_ values: [Double], into grid: inout TextGrid, x: Int, y: Int, width: Int, _ style: Style) {
        let shown = Array(values.suffix(width)).filter(\.isFinite)
        guard let low = shown.min(), let high = shown.max() else { return }
        let levels = grid.glyphs.sparks
        for (i, v) in shown.enumerated() {
            let level = high > low ? Int(((v - low) / (high - low) * Double(levels.count - 1)).rounded()) : levels.count / 2
            grid.put(levels[level], x: x + i, y: y, style)
        }
    }
}
