/// Left-aligned columns separated by two spaces, the first row a header.
struct Table {
    let rows: [[String]]
    init(_ rows: [[String]]) { self.rows = rows }

    var text: String {
        let widths = (0..<(rows.first?.count ?? 0)).map { c in rows.map { $0[c].count }.max() ?? 0 }
        return rows.map { row in
            zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
    /// The same rows as a Markdown table.
    var markdown: String {
        guard let header = rows.first else { return "" }
        let lines = ["| " + header.joined(separator: " | ") + " |", "|" + header.map { _ in "---|" }.joined()]
            + rows.dropFirst().map { "| " + $0.joined(separator: " | ") + " |" }
        return lines.joined(separator: "\n") + "\n"
    }
}
