import TextUI

/// The screens, in header order; the number keys jump to them.
public enum ScreenID: Int, CaseIterable, Sendable {
    case train = 1, layers, cells, samples, compare, help

    public var title: String {
        switch self {
        case .train: return "Train"
        case .layers: return "Layers"
        case .cells: return "Cells"
        case .samples: return "Samples"
        case .compare: return "Compare"
        case .help: return "Help"
        }
    }

    public var next: ScreenID { ScreenID(rawValue: rawValue % ScreenID.allCases.count + 1)! }
    public var previous: ScreenID { ScreenID(rawValue: (rawValue + ScreenID.allCases.count - 2) % ScreenID.allCases.count + 1)! }
}

/// How the user is looking at things: which screen, which options, what is selected.
/// None of it is about the run itself.
public struct ViewState: Sendable {
    public var screen = ScreenID.train
    /// Index into `LossSmoothing.strengths`.
    public var smoothing = 4
    public var logScale = false
    public var window = LossWindow.all
    /// Cells screen: colour by cell type instead of by source.
    public var colourByLabel = false
    /// Samples screen: the selected generated cell.
    public var selectedSample = 0
    /// Samples and Layers screens: the gene searched with `/`.
    public var geneQuery: String?
    /// Help screen: the first line shown.
    public var helpScroll = 0
    /// Layers screen: the layer whose units are listed (from 0), and the unit picked in its list.
    public var selectedLayer = 0
    public var selectedUnit = 0
    /// Cells screen: colour the held-out cells by one unit's activation (`c` on Layers), not by source or type.
    public var colourByUnit: (layer: Int, unit: Int)?
    /// Compare screen: the selected run.
    public var selectedRun = 0
    public var modal: Modal?
    public var themeName = "dark"

    public init() {}

    public var smoothingStrength: Double { LossSmoothing.strengths[smoothing] }
}

/// A box over the screen that takes the keys until it closes.
public enum Modal: Sendable {
    case confirmQuit
    case form(Form)
    /// A list to choose from: what it is for, the items, the selected one.
    case picker(PickerPurpose, [String], Int)
    /// Typing a gene name on the Samples screen.
    case search(String)
}

public enum PickerPurpose: Sendable, Equatable {
    case theme
    case resumeRun
}
