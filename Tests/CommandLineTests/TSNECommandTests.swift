import CellData
import Foundation
import TestSupport
import XCTest

/// `wbdit tsne` on the t-SNE fixture: the map file, the placed cells and the plot.
final class TSNECommandTests: XCTestCase {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../AnalysisTests/Fixtures").standardized.path

    func testMapsPlacesAndPlots() throws {
        let out = NSTemporaryDirectory() + "wbdit-tsne-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let result = try CommandRunner.wbdit(["tsne", fixtures + "/tsne-points.npy", fixtures + "/tsne-points.npy",
                                              "--components", "5", "--out", out, "--plot", "--ascii"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("t-SNE of 300 cells (5 PCs, perplexity 30, exact): KL divergence"), result.stdout)
        XCTAssertTrue(result.stdout.contains("placed 300 cells of"), result.stdout)
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.first, "cell,source,label,x,y")
        XCTAssertEqual(lines.count, 1 + 600)
        XCTAssertEqual(lines.dropFirst().filter { $0.hasPrefix("0,") }.count, 2)
        // A .npy with no more columns than --components is taken as points, not reduced.
        let npy = NSTemporaryDirectory() + "wbdit-tsne-\(UUID().uuidString).npy"
        defer { try? FileManager.default.removeItem(atPath: npy) }
        let points = try CommandRunner.wbdit(["tsne", fixtures + "/tsne-points.npy", fixtures + "/label-generated.npy", "--out", npy])
        XCTAssertEqual(points.status, 0, points.stderr)
        XCTAssertTrue(points.stdout.contains("(10 dimensions, perplexity 30, exact)"), points.stdout)
        XCTAssertEqual(try CellMatrix.load(npy: npy).cells, 400)
        // A perplexity too large for the cells is lowered, as openTSNE does, and says so.
        let lowered = try CommandRunner.wbdit(["tsne", fixtures + "/tsne-points.npy", "--perplexity", "500", "--out", npy])
        XCTAssertTrue(lowered.stdout.contains("perplexity 99.7, lowered from 500 for 300 cells"), lowered.stdout)
        // The ASCII plot: dots drawn, and no braille.
        XCTAssertTrue(result.stdout.contains("#") || result.stdout.contains("o"))
        XCTAssertFalse(result.stdout.unicodeScalars.contains { (0x2800...0x28FF).contains($0.value) })
    }

    func testBadInputIsOneLineAndStatusTwo() throws {
        for arguments in [
            ["tsne", fixtures + "/tsne-points.npy", fixtures + "/real.npy"],
            ["tsne", fixtures + "/tsne-points.npy", "--out", "map.txt"],
            ["tsne", fixtures + "/tsne-points.npy", "--perplexity", "0"],
            ["tsne", fixtures + "/tsne-points.npy", "--labels", "cell_type"],
            ["tsne", fixtures + "/missing.npy"],
        ] {
            let result = try CommandRunner.wbdit(arguments)
            XCTAssertEqual(result.status, 2, arguments.joined(separator: " "))
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        }
    }
}
