import Foundation
import TextUI

/// Renders the whole screen for a state and a view into a grid: header, the current
/// screen, footer, and any modal on top. Pure: the same inputs give the same grid.
public enum WorkbenchView {
    public static func render(_ state: WorkbenchState, _ view: ViewState, width: Int, height: Int,
                              glyphs: Glyphs = .unicode, now: Date = Date()) -> TextGrid {
        var grid = TextGrid(width: width, height: height, glyphs: glyphs)
        guard width >= Frame.minimumWidth, height >= Frame.minimumHeight else {
            Frame.drawTooSmall(into: &grid)
            return grid
        }
        let keys: String
        switch view.screen {
        case .train: keys = TrainScreen.keys
        case .layers: keys = LayersScreen.keys
        case .cells: keys = CellsScreen.keys
        case .samples: keys = SamplesScreen.keys
        case .compare: keys = CompareScreen.keys
        case .help: keys = HelpScreen.keys
        }
        let body = Frame.draw(state, view, keys: keys, into: &grid)
        switch view.screen {
        case .train: TrainScreen.draw(state, view, into: &grid, body, now: now)
        case .layers: LayersScreen.draw(state, view, into: &grid, body)
        case .cells: CellsScreen.draw(state, view, into: &grid, body)
        case .samples: SamplesScreen.draw(state, view, into: &grid, body)
        case .compare: CompareScreen.draw(state, view, into: &grid, body)
        case .help: HelpScreen.draw(state, view, into: &grid, body)
        }
        if let modal = view.modal { ModalView.draw(modal, into: &grid) }
        return grid
    }
}
