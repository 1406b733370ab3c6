import Foundation
import TestSupport
import XCTest

/// `wbdit report` on a real run, rendered by a real browser (Debian's headless Chromium,
/// which `make test` installs): the page renders at two widths, every chart is there with
/// its axes and points, and the browser logs no page error.
final class ReportBrowserTests: XCTestCase {
    let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../CellDataTests/Fixtures/zeisel-slice.h5ad").standardized.path
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    func browser(_ arguments: [String], in directory: String) throws -> CommandRunner.Result {
        try CommandRunner.run(try XCTUnwrap(chromium), ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                                                       "--user-data-dir=\(directory)/profile", "--enable-logging=stderr", "--v=0"] + arguments)
    }

    func testTheReportRendersInARealBrowser() throws {
        guard chromium != nil else { throw XCTSkip("Chromium is not installed (make test installs Debian's chromium package)") }
        let directory = NSTemporaryDirectory() + "wbdit-report-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let run = directory + "/run"
        let trained = try CommandRunner.wbdit(["train", "--data", fixture, "--run", run, "--steps", "60", "--checkpoint-every", "30",
                                               "--readout-every", "10", "--top-genes", "20", "--holdout", "0.2", "--stratify", "level1",
                                               "--patch", "5", "--hidden", "8", "--depth", "2", "--heads", "2", "--batch", "8",
                                               "--pca-components", "12", "--threads", "1"])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        XCTAssertEqual(try CommandRunner.wbdit(["eval", "--run", run, "--steps", "5", "--components", "5"]).status, 0)
        let page = directory + "/report.html"
        let written = try CommandRunner.wbdit(["report", "--run", run, "--run", run, "--out", page])
        XCTAssertEqual(written.status, 0, written.stderr)
        let html = try String(contentsOfFile: page, encoding: .utf8)
        XCTAssertFalse(html.contains("<script") || html.contains("http://") && !html.contains("http://www.w3.org/2000/svg"),
                       "self-contained: no script, nothing fetched")

        // Rendered at two widths: non-blank, and laid out differently.
        var sizes: [Int] = []
        for width in [1280, 640] {
            let png = directory + "/page-\(width).png"
            let shot = try browser(["--window-size=\(width),2000", "--screenshot=\(png)", "file://\(page)"], in: directory)
            XCTAssertEqual(shot.status, 0, shot.stderr)
            let size = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: png)[.size] as? Int)
            XCTAssertGreaterThan(size, 40_000, "a blank page compresses to a few kilobytes; \(width) px gave \(size) bytes")
            sizes.append(size)
            let errors = shot.stderr.split(separator: "\n").filter { $0.contains("CONSOLE") || $0.contains("Uncaught") }
            XCTAssertEqual(errors, [], "the page logged errors")
        }
        XCTAssertNotEqual(sizes[0], sizes[1])

        // The DOM as the browser parsed it: every chart, each with axes and drawn points.
        let dom = try browser(["--dump-dom", "file://\(page)"], in: directory)
        XCTAssertEqual(dom.status, 0, dom.stderr)
        let figures = dom.stdout.components(separatedBy: "<figure class=\"chart\">").dropFirst()
        // Per run: loss, rate, coding rate, sparsity, by depth, R^c and sparsity by depth on held-out cells at four
        // noise levels, two maps, three gene plots; and the two side-by-side maps.
        XCTAssertEqual(figures.count, 2 * 12 + 2, "charts")
        for figure in figures {
            let chart = figure.components(separatedBy: "</figure>")[0]
            XCTAssertTrue(chart.contains("<svg") && chart.contains("class=\"axis\""), "a chart without its frame")
            XCTAssertTrue(chart.contains("<polyline") || chart.contains("class=\"points\""), "a chart without data")
        }
        XCTAssertTrue(dom.stdout.contains("knn_auc"), "the evaluation table")
        XCTAssertTrue(dom.stdout.contains("Side by side"))
        XCTAssertTrue(dom.stdout.contains("By depth, on held-out cells"), "CRATE's claims by depth")
        XCTAssertTrue(dom.stdout.contains("The white box in genes") && dom.stdout.contains("random directions"), "the units in genes")
    }
}
