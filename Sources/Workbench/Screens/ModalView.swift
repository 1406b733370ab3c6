import TextUI

/// Draws the open modal (form, question, picker, search line) over the screen.
enum ModalView {
    static func draw(_ modal: Modal, into grid: inout TextGrid) {
        switch modal {
        case .confirmQuit:
            let rect = centred(width: 44, height: 5, in: grid)
            panel(rect, title: "Quit", into: &grid)
            grid.text("quit? y/n", x: rect.x + 2, y: rect.y + 1, Style(.foreground, bold: true))
            grid.text("a checkpoint is written before leaving", x: rect.x + 2, y: rect.y + 2, Style(.muted), limit: rect.width - 4)
        case .form(let form):
            let rect = centred(width: 64, height: form.fields.count + 5, in: grid)
            panel(rect, title: form.title, into: &grid)
            let hasChoices = form.fields.contains { !$0.choices.isEmpty }
            // Wide enough for the longest choice shown as "◂ choice ▸" (cell types), up to 32.
            let widestChoice = form.fields.flatMap(\.choices).map { $0.count + 5 }.max() ?? 0
            let valueWidth = min(32, max(26, widestChoice))
            for (i, field) in form.fields.enumerated() {
                let y = rect.y + 1 + i
                let focused = i == form.focus
                grid.text(Format.pad(field.label, 14, right: true), x: rect.x + 2, y: y, Style(.muted))
                let valueStyle = focused ? Style(.foreground, on: .selected, bold: true) : Style(.foreground)
                grid.fill(Rect(x: rect.x + 17, y: y, width: valueWidth, height: 1), " ", valueStyle)
                let shown = field.choices.isEmpty ? String(field.value.suffix(valueWidth - 1)) + (focused ? "_" : "") : "◂ \(field.value) ▸"
                grid.text(shown, x: rect.x + 17, y: y, valueStyle, limit: valueWidth)
                grid.text(field.hint, x: rect.x + 18 + valueWidth, y: y, Style(.muted), limit: rect.width - 20 - valueWidth)
            }
            let y = rect.maxY - 3
            if let error = form.error {
                grid.text(error, x: rect.x + 2, y: y, Style(.error, bold: true), limit: rect.width - 4)
            }
            grid.text(hasChoices ? "Enter start · Esc cancel · ↑/↓ move · ←/→ choose" : "Enter start · Esc cancel · ↑/↓ move · type to edit", x: rect.x + 2, y: rect.maxY - 2, Style(.muted), limit: rect.width - 4)
        case .picker(let purpose, let items, let selected):
            let title = purpose == .theme ? "Theme" : "Resume a run"
            let rect = centred(width: 44, height: min(grid.height - 4, max(items.count, 1) + 4), in: grid)
            panel(rect, title: title, into: &grid)
            let rows = rect.height - 4
            let first = max(0, min(selected - rows / 2, items.count - rows))
            if items.isEmpty { grid.text("nothing to choose from", x: rect.x + 2, y: rect.y + 1, Style(.muted)) }
            for row in 0..<min(rows, items.count) {
                let i = first + row
                let style = i == selected ? Style(.foreground, on: .selected, bold: true) : Style(.foreground)
                grid.fill(Rect(x: rect.x + 1, y: rect.y + 1 + row, width: rect.width - 2, height: 1), " ", style)
                grid.text(items[i], x: rect.x + 2, y: rect.y + 1 + row, style, limit: rect.width - 4)
            }
            grid.text("Enter choose · Esc cancel", x: rect.x + 2, y: rect.maxY - 2, Style(.muted))
        case .search(let text):
            let y = grid.height - 1
            grid.fill(Rect(x: 0, y: y, width: grid.width, height: 1), " ", Style(.foreground, on: .selected))
            grid.text("find gene: \(text)_", x: 1, y: y, Style(.foreground, on: .selected, bold: true), limit: grid.width - 2)
        }
    }

    static func centred(width: Int, height: Int, in grid: TextGrid) -> Rect {
        let w = min(width, grid.width - 2), h = min(height, grid.height - 2)
        return Rect(x: (grid.width - w) / 2, y: (grid.height - h) / 2, width: w, height: h)
    }

    static func panel(_ rect: Rect, title: String, into grid: inout TextGrid) {
        grid.fill(rect, " ", Style(.foreground))
        grid.box(rect, title: title, Style(.title))
    }
}
