import Foundation
import TextUI
import XCTest

/// Theme files, colour depths, ticks and the text grid's edges.
final class ThemeTests: XCTestCase {
    let themes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../themes").standardized.path

    func testShippedThemesParseAndOverrideTheDefault() throws {
        XCTAssertEqual(Theme.available(in: themes), ["dark", "high-contrast", "light", "monochrome"])
        for name in Theme.available(in: themes) {
            let theme = try Theme.load(name, from: themes)
            for role in Role.allCases { _ = theme[role] }
        }
        XCTAssertEqual(try Theme.load("light", from: themes)[.background], RGB(0xfa, 0xfa, 0xfa))
        XCTAssertTrue(try Theme.load("monochrome", from: themes).monochrome)
        XCTAssertEqual(try Theme.load("dark", from: themes), Theme.dark.renamed("dark"))
        XCTAssertEqual(try Theme.load("light", from: themes), Theme.light, "themes/light.theme is the built-in light")
        // Without theme files (a binary copied on its own) the built-in ones still load.
        let nowhere = NSTemporaryDirectory() + "no-themes-\(UUID().uuidString)"
        XCTAssertEqual(Theme.available(in: nowhere), ["dark", "light"])
        XCTAssertEqual(try Theme.load("light", from: nowhere), Theme.light)
        XCTAssertThrowsError(try Theme.load("monochrome", from: nowhere))
    }

    func testBadThemeLinesNameTheLine() {
        XCTAssertThrowsError(try Theme.parse("background = \"#1c1f26\"\nbogus = \"#000000\"", name: "x")) {
            XCTAssertEqual("\($0)", "x.theme line 2: expected `key = \"#RRGGBB\"` with a known key, got `bogus = \"#000000\"`")
        }
        XCTAssertThrowsError(try Theme.parse("title = \"blue\"", name: "x")) {
            XCTAssertTrue("\($0)".contains("line 1"))
        }
        XCTAssertThrowsError(try Theme.load("nope", from: themes)) { XCTAssertTrue("\($0)".contains("themes: dark")) }
        // A binary run away from its themes folder still names the built-in ones, and says the folder is missing.
        XCTAssertThrowsError(try Theme.load("nope", from: "/no/such/themes")) {
            XCTAssertEqual("\($0)", "no theme nope built in (no themes folder at /no/such/themes); themes: dark, light")
        }
    }

    func testColourDepths() {
        XCTAssertEqual(ColourDepth.trueColour.index(of: RGB(0x12, 0x34, 0x56)), 0x123456)
        XCTAssertEqual(ColourDepth.palette256.index(of: RGB(255, 0, 0)), 196)
        XCTAssertEqual(ColourDepth.palette256.index(of: RGB(0x80, 0x80, 0x80)), 244)
        XCTAssertEqual(ColourDepth.basic8.index(of: RGB(250, 20, 20)), 1)
        XCTAssertEqual(ColourDepth.basic8.index(of: RGB(20, 20, 240)), 4)
        XCTAssertEqual(ColourDepth.basic8.index(of: RGB(240, 240, 240)), 7)
    }

    func testTicksAreOneTwoFive() {
        XCTAssertEqual(Ticks.linear(0.23, 1.04, count: 5), [0.4, 0.6, 0.8, 1.0])
        XCTAssertEqual(Ticks.linear(0.23, 1.04, count: 4), [0.5, 1.0])
        XCTAssertEqual(Ticks.linear(0, 950, count: 5), [0, 200, 400, 600, 800])
        XCTAssertEqual(Ticks.logarithmic(0.15, 12), [0.2, 0.5, 1, 2, 5, 10])
        XCTAssertEqual(Ticks.logarithmic(0.15, 120), [1, 10, 100])
        XCTAssertEqual(Ticks.logarithmic(0.3, 4), [0.5, 1, 2])
        XCTAssertEqual(Ticks.label(0.002), "0.002")
        XCTAssertEqual(Ticks.label(25000), "2e+04")
    }

    func testGridClipsAndDumps() {
        var grid = TextGrid(width: 10, height: 2)
        grid.text("hello world, clipped", x: 3, y: 0)
        grid.put("x", x: -1, y: 5)
        grid.bar(fraction: 0.55, x: 0, y: 1, width: 4, Style())
        XCTAssertEqual(grid.dump(), "   hello w\n██▎\n")
        var ascii = TextGrid(width: 6, height: 1, glyphs: .ascii)
        ascii.text("a·b", x: 0, y: 0)
        XCTAssertEqual(ascii.dump(), "a-b\n")
        ascii.text("é", x: 0, y: 0)
        XCTAssertEqual(ascii.dump(), "?-b\n")
    }

    /// One grid cell is one terminal column: a wide character (which a terminal draws two
    /// columns wide) becomes `?`, a combining mark is left out, so what follows stays put.
    func testGridCellsAreOneColumnEach() {
        var grid = TextGrid(width: 12, height: 1)
        XCTAssertEqual(grid.text("日本🧬e\u{301}１x", x: 0, y: 0, limit: 8), 6)
        XCTAssertEqual(grid.dump(), "???e?x\n")
        XCTAssertEqual(("a" as Unicode.Scalar).terminalWidth, 1)
        XCTAssertEqual(("·" as Unicode.Scalar).terminalWidth, 1)
        XCTAssertEqual(("█" as Unicode.Scalar).terminalWidth, 1)
        XCTAssertEqual(("\u{301}" as Unicode.Scalar).terminalWidth, 0)
        XCTAssertEqual(("語" as Unicode.Scalar).terminalWidth, 2)
    }

    func testDotCanvasUsesHalfBlocksWhereColoursMeet() {
        var canvas = DotCanvas(columns: 2, rows: 1)
        canvas.set(0, 0, .real)
        canvas.set(1, 3, .real)
        canvas.set(2, 0, .real)
        canvas.set(3, 3, .generated)
        var grid = TextGrid(width: 2, height: 1)
        canvas.draw(into: &grid, x: 0, y: 0)
        XCTAssertEqual(grid[0, 0].character, "⢁")
        XCTAssertEqual(grid[1, 0].character, "▀")
        XCTAssertEqual(grid[1, 0].style.foreground, .real)
        XCTAssertEqual(grid[1, 0].style.background, .generated)
    }
}

extension Theme {
    func renamed(_ name: String) -> Theme { var t = self; t.name = name; return t }
}
