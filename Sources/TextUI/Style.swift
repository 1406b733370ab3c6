/// What a character cell is drawn as, by role: a theme maps each role to a colour, so
/// screens never name colours themselves.
public enum Role: String, CaseIterable, Sendable {
    case background, foreground, muted, title, border, selected
    case series1, series2, series3, series4, series5, series6
    case real, generated
    case label1, label2, label3, label4, label5, label6, label7, label8, label9, label10
    case ok, warning, error

    /// The chart series colours, in order.
    public static let series: [Role] = [.series1, .series2, .series3, .series4, .series5, .series6]
    /// The colours of categorical labels (cell types), in order; they repeat past ten.
    public static let labels: [Role] = [.label1, .label2, .label3, .label4, .label5, .label6, .label7, .label8, .label9, .label10]

    public static func series(_ i: Int) -> Role { series[((i % series.count) + series.count) % series.count] }
    public static func label(_ i: Int) -> Role { labels[((i % labels.count) + labels.count) % labels.count] }
}

/// The colours and attributes of one character cell.
public struct Style: Equatable, Hashable, Sendable {
    public var foreground: Role
    public var background: Role
    public var bold: Bool
    public var reverse: Bool

    public init(_ foreground: Role = .foreground, on background: Role = .background, bold: Bool = false,
                reverse: Bool = false) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.reverse = reverse
    }

    public static let plain = Style()
}
