/// How much of the loss history the Train screen shows (`z` cycles).
public enum LossWindow: CaseIterable, Sendable {
    case all, last1000, last100

    public var label: String {
        switch self {
        case .all: return "all steps"
        case .last1000: return "last 1k steps"
        case .last100: return "last 100 steps"
        }
    }

    public var steps: Int? {
        switch self {
        case .all: return nil
        case .last1000: return 1000
        case .last100: return 100
        }
    }

    public var next: LossWindow {
        let all = Self.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }
}
