import Foundation
import Storage

/// A 24-bit colour.
public struct RGB: Equatable, Hashable, Sendable {
    public var red, green, blue: UInt8
    public init(_ red: UInt8, _ green: UInt8, _ blue: UInt8) { (self.red, self.green, self.blue) = (red, green, blue) }

    /// `#RRGGBB`.
    public init?(hex: String) {
        let digits = hex.hasPrefix("#") ? String(hex.dropFirst()) : hex
        guard digits.count == 6, let v = UInt32(digits, radix: 16) else { return nil }
        self.init(UInt8(v >> 16), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF))
    }

    public var hex: String { String(format: "#%02x%02x%02x", red, green, blue) }
}

/// A colour for every role. A theme file overrides some roles of the built-in default,
/// one `role = "#RRGGBB"` per line; `#` starts a comment line. The monochrome flag draws
/// with the terminal's own two colours plus bold and reverse.
public struct Theme: Equatable, Sendable {
    public var name: String
    public var colours: [Role: RGB]
    public var monochrome = false

    public subscript(role: Role) -> RGB { colours[role] ?? Theme.dark.colours[role]! }

    /// The built-in default: light text on a dark background.
    public static let dark = Theme(name: "dark", colours: [
        .background: RGB(0x1c, 0x1f, 0x26), .foreground: RGB(0xd8, 0xde, 0xe9), .muted: RGB(0x7b, 0x86, 0x99),
        .title: RGB(0x88, 0xc0, 0xd0), .border: RGB(0x4c, 0x56, 0x6a), .selected: RGB(0x3b, 0x4a, 0x66),
        .series1: RGB(0x88, 0xc0, 0xd0), .series2: RGB(0xeb, 0xcb, 0x8b), .series3: RGB(0xa3, 0xbe, 0x8c),
        .series4: RGB(0xb4, 0x8e, 0xad), .series5: RGB(0xd0, 0x87, 0x70), .series6: RGB(0x81, 0xa1, 0xc1),
        .real: RGB(0x81, 0xa1, 0xc1), .generated: RGB(0xeb, 0xcb, 0x8b),
        .label1: RGB(0xe4, 0x1a, 0x1c), .label2: RGB(0x37, 0x7e, 0xb8), .label3: RGB(0x4d, 0xaf, 0x4a),
        .label4: RGB(0x98, 0x4e, 0xa3), .label5: RGB(0xff, 0x7f, 0x00), .label6: RGB(0xff, 0xff, 0x33),
        .label7: RGB(0xa6, 0x56, 0x28), .label8: RGB(0xf7, 0x81, 0xbf), .label9: RGB(0x99, 0x99, 0x99),
        .label10: RGB(0x66, 0xc2, 0xa5),
        .ok: RGB(0xa3, 0xbe, 0x8c), .warning: RGB(0xeb, 0xcb, 0x8b), .error: RGB(0xbf, 0x61, 0x6a),
    ])

    /// The report's default, built in so that a report needs no theme files beside the
    /// binary: dark text on a paper-white background (`themes/light.theme`, a test checks).
    public static let light = Theme(name: "light", colours: [
        .background: RGB(0xfa, 0xfa, 0xfa), .foreground: RGB(0x24, 0x29, 0x2f), .muted: RGB(0x6e, 0x77, 0x81),
        .title: RGB(0x05, 0x50, 0xae), .border: RGB(0xaf, 0xb8, 0xc1), .selected: RGB(0xdd, 0xf4, 0xff),
        .series1: RGB(0x09, 0x69, 0xda), .series2: RGB(0xbc, 0x4c, 0x00), .series3: RGB(0x1a, 0x7f, 0x37),
        .series4: RGB(0x82, 0x50, 0xdf), .series5: RGB(0xcf, 0x22, 0x2e), .series6: RGB(0x4d, 0x2d, 0x00),
        .real: RGB(0x09, 0x69, 0xda), .generated: RGB(0xbc, 0x4c, 0x00), .label1: RGB(0xd6, 0x27, 0x28),
        .label2: RGB(0x1f, 0x77, 0xb4), .label3: RGB(0x2c, 0xa0, 0x2c), .label4: RGB(0x94, 0x67, 0xbd),
        .label5: RGB(0xff, 0x7f, 0x0e), .label6: RGB(0x8c, 0x56, 0x4b), .label7: RGB(0xe3, 0x77, 0xc2),
        .label8: RGB(0x7f, 0x7f, 0x7f), .label9: RGB(0xbc, 0xbd, 0x22), .label10: RGB(0x17, 0xbe, 0xcf),
        .ok: RGB(0x1a, 0x7f, 0x37), .warning: RGB(0x9a, 0x67, 0x00), .error: RGB(0xcf, 0x22, 0x2e),
    ])

    /// The themes that need no file.
    static let builtIn = ["dark": Theme.dark, "light": Theme.light]

    /// Parses a theme file's text over the default. Throws with the line number on a bad line.
    public static func parse(_ text: String, name: String) throws -> Theme {
        var theme = Theme.dark
        theme.name = name
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let value = parts.count == 2 ? parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) : ""
            if parts.count == 2 && parts[0] == "monochrome" {
                theme.monochrome = value == "true"
                continue
            }
            guard parts.count == 2, let role = Role(rawValue: parts[0]) else {
                throw ThemeError("\(name).theme line \(number + 1): expected `key = \"#RRGGBB\"` with a known key, got `\(line)`")
            }
            guard let colour = RGB(hex: value) else {
                throw ThemeError("\(name).theme line \(number + 1): \(parts[1]) is not a colour like \"#1c1f26\"")
            }
            theme.colours[role] = colour
        }
        return theme
    }

    /// The theme `name` from `folder/name.theme`; "dark" and "light" are built in.
    public static func load(_ name: String, from folder: String) throws -> Theme {
        let path = folder + "/" + name + ".theme"
        guard let text = FileBytes.text(path) else {
            if let theme = builtIn[name] { return theme }
            let known = available(in: folder)
            let place = FileManager.default.fileExists(atPath: folder) ? "in \(folder)" : "built in (no themes folder at \(folder))"
            throw ThemeError("no theme \(name) \(place); themes: \(known.joined(separator: ", "))")
        }
        return try parse(text, name: name)
    }

    /// The names of the themes in `folder`, sorted, with the built-in ones always present.
    public static func available(in folder: String) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return Array(Set(files.filter { $0.hasSuffix(".theme") }.map { String($0.dropLast(6)) } + builtIn.keys)).sorted()
    }
}

/// A theme file could not be used; the message names the file and line.
public struct ThemeError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
