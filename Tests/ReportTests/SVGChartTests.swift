import Foundation
@testable import Report
import TextUI
import XCTest

/// The report's charts: a snapshot of one chart's SVG for fixed data, and the parts every
/// chart must have. Set WBDIT_RECORD_SNAPSHOTS=1 to rewrite the snapshot after a deliberate change.
final class SVGChartTests: XCTestCase {
    func lossChart() -> SVGChart {
        var chart = SVGChart(title: "Loss (MSE of the predicted v)", xLabel: "step", yLabel: "loss")
        chart.logY = true
        let raw: [(x: Double, y: Double)] = (1...50).map { (i: Int) -> (x: Double, y: Double) in
            let x = Double(i)
            return (x, 2 / x.squareRoot() + 0.05 * Double(i % 3))
        }
        chart.lines = [.init(name: "raw", colour: Theme.dark[.series1], points: raw, width: 1, opacity: 0.35),
                       .init(name: "smoothed", colour: Theme.dark[.series2], points: raw.map { ($0.x, 2 / $0.x.squareRoot()) })]
        return chart
    }

    func testLossChartMatchesItsSnapshot() throws {
        let svg = lossChart().svg(Theme.dark)
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots/loss-chart.svg")
        if ProcessInfo.processInfo.environment["WBDIT_RECORD_SNAPSHOTS"] == "1" { try Data(svg.utf8).write(to: url) }
        let expected = try String(contentsOf: url, encoding: .utf8)
        XCTAssertEqual(svg, expected, "the chart changed; rerun with WBDIT_RECORD_SNAPSHOTS=1 if that was meant")
    }

    func testChartsHaveAxesTicksSeriesAndALegend() {
        let svg = lossChart().svg(Theme.dark)
        XCTAssertTrue(svg.hasPrefix("<figure class=\"chart\"><svg"))
        XCTAssertTrue(svg.contains("class=\"axis\""))
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 2, "both series")
        XCTAssertTrue(svg.contains(">step</text>") && svg.contains(">loss</text>"), "axis labels")
        XCTAssertTrue(svg.contains(">0.5</text>") || svg.contains(">1</text>"), "log ticks at 1-2-5 values")
        XCTAssertTrue(svg.contains(">smoothed</text>"), "legend")
        var scatter = SVGChart(title: "Gene means <real & generated>", xLabel: "real", yLabel: "generated")
        scatter.diagonal = true
        scatter.dots = [.init(name: "", colour: Theme.dark[.series1], points: [(0, 0), (1, 1.2), (2, 1.9)])]
        let dots = scatter.svg(Theme.dark)
        XCTAssertTrue(dots.contains("class=\"points\" d=\"M"), "points drawn as one path")
        XCTAssertEqual(dots.components(separatedBy: "h0").count - 1, 3)
        XCTAssertTrue(dots.contains("Gene means &lt;real &amp; generated&gt;"), "text escaped")
        XCTAssertTrue(dots.contains("stroke-dasharray"), "the y = x diagonal")
    }

    /// Thousands of points stay small: a few bytes each.
    func testLargeScatterStaysSmall() {
        var chart = SVGChart(title: "map", xLabel: "", yLabel: "")
        chart.bare = true
        chart.dots = [.init(name: "cells", colour: Theme.dark[.real], points: (0..<5000).map { (Double($0 % 97), Double($0 % 89)) })]
        XCTAssertLessThan(chart.svg(Theme.dark).utf8.count, 5000 * 16)
    }
}
