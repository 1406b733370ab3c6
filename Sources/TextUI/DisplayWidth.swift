/// How many terminal columns a character takes: 0 for combining marks and other
/// zero-width characters, 2 for East Asian wide and full-width characters and emoji
/// (Unicode's East Asian Width W and F, UAX #11, and emoji presentation), 1 otherwise.
/// The grid holds one scalar a cell, so `TextGrid.text` shows a wide character as `?`
/// and leaves a zero-width one out: either way every later column stays where it belongs.
extension Unicode.Scalar {
    public var terminalWidth: Int {
        let value = self.value
        if value < 0x300 { return 1 }
        switch properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if properties.isEmojiPresentation { return 2 }
        return Self.wideRanges.contains { $0.contains(value) } ? 2 : 1
    }

    /// The wide and full-width blocks of UAX #11.
    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
        0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60,
        0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]
}
