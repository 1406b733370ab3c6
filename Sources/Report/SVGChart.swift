import Foundation
import TextUI

/// A chart in SVG: a plot area with labelled axes (linear or logarithmic, ticks from the
/// terminal charts' `Ticks`), line series, groups of dots and a legend, in a theme's
/// colours. `svg` renders it; every chart carries the class `chart` and its axes the
/// class `axis`, which the browser test looks for.
public struct SVGChart {
    public struct Series {
        public var name: String
        public var colour: RGB
        public var points: [(x: Double, y: Double)]
        public var width: Double
        public var opacity: Double
        public init(name: String, colour: RGB, points: [(x: Double, y: Double)], width: Double = 1.5, opacity: Double = 1) {
            (self.name, self.colour, self.points, self.width, self.opacity) = (name, colour, points, width, opacity)
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var logY = false
    public var lines: [Series] = []
    public var dots: [Series] = []
    /// Draw y = x (for generated-against-real plots).
    public var diagonal = false
    /// No axes or ticks (a t-SNE map, whose coordinates mean nothing).
    public var bare = false
    public var width = 460.0, height = 300.0

    public init(title: String, xLabel: String, yLabel: String) {
        (self.title, self.xLabel, self.yLabel) = (title, xLabel, yLabel)
    }

    /// The data's range on each axis (positive values only on a log axis), padded a little.
    func ranges() -> (x: ClosedRange<Double>, y: ClosedRange<Double>) {
        let all = (lines + dots).flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite && (!logY || $0.y > 0) }
        guard let x0 = all.map(\.x).min(), let x1 = all.map(\.x).max(), let y0 = all.map(\.y).min(), let y1 = all.map(\.y).max() else {
            return (0...1, logY ? 0.1...1 : 0...1)
        }
        var (xs, ys) = (x0...max(x1, x0 + 1e-12), y0...max(y1, y0 + 1e-12))
        if diagonal { let both = min(x0, y0)...max(x1, y1, min(x0, y0) + 1e-12); (xs, ys) = (both, both) }
        if logY { return (xs, ys.lowerBound...max(ys.upperBound, ys.lowerBound * 1.0001)) }
        let pad = (ys.upperBound - ys.lowerBound) * 0.04
        return (xs, (ys.lowerBound - pad)...(ys.upperBound + pad))
    }

    public func svg(_ theme: Theme) -> String {
        var canvas = SVGCanvas(width: width, height: height)
        let (left, right, top, bottom) = bare ? (8.0, 8.0, 26.0, 8.0) : (58.0, 12.0, 26.0, 40.0)
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let (xr, yr) = ranges()
        func px(_ x: Double) -> Double { left + (x - xr.lowerBound) / (xr.upperBound - xr.lowerBound) * plotWidth }
        func py(_ y: Double) -> Double {
            let f = logY ? (log10(y) - log10(yr.lowerBound)) / (log10(yr.upperBound) - log10(yr.lowerBound))
                : (y - yr.lowerBound) / (yr.upperBound - yr.lowerBound)
            return top + (1 - f) * plotHeight
        }
        canvas.text(title, 4, 16, theme[.title], size: 13, bold: true)
        canvas.rect(left, top, plotWidth, plotHeight, stroke: theme[.border], className: "axis")
        if !bare {
            let xTicks = Ticks.linear(xr.lowerBound, xr.upperBound, count: 5)
            let yTicks = logY ? Ticks.logarithmic(yr.lowerBound, yr.upperBound) : Ticks.linear(yr.lowerBound, yr.upperBound, count: 5)
            for t in xTicks {
                canvas.line(px(t), top + plotHeight, px(t), top + plotHeight + 4, theme[.muted])
                canvas.text(Ticks.label(t), px(t), top + plotHeight + 16, theme[.muted], size: 10, anchor: "middle")
            }
            for t in yTicks {
                canvas.line(left - 4, py(t), left, py(t), theme[.muted])
                canvas.text(Ticks.label(t), left - 6, py(t) + 3.5, theme[.muted], size: 10, anchor: "end")
            }
            canvas.text(xLabel, left + plotWidth / 2, height - 6, theme[.muted], size: 11, anchor: "middle")
            canvas.text(yLabel, 13, top + plotHeight / 2, theme[.muted], size: 11, anchor: "middle", rotated: true)
        }
        if diagonal { canvas.line(px(xr.lowerBound), py(yr.lowerBound), px(xr.upperBound), py(yr.upperBound), theme[.muted], dashed: true) }
        func visible(_ p: (x: Double, y: Double)) -> Bool { p.x.isFinite && p.y.isFinite && (!logY || p.y > 0) }
        for group in dots {
            canvas.dots(group.points.filter(visible).map { (px($0.x), py($0.y)) }, group.colour, radius: group.width, opacity: group.opacity)
        }
        for series in lines {
            canvas.polyline(series.points.filter(visible).map { (px($0.x), py($0.y)) }, series.colour, width: series.width,
                            opacity: series.opacity)
        }
        // The legend, top right inside the plot.
        var y = top + 14
        for series in (lines + dots) where !series.name.isEmpty {
            canvas.rect(left + plotWidth - 128, y - 8, 10, 10, fill: series.colour)
            canvas.text(series.name, left + plotWidth - 114, y, theme[.foreground], size: 10)
            y += 14
        }
        return "<figure class=\"chart\">" + canvas.svg(title: title) + "</figure>"
    }
}
