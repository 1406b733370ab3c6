import Foundation

/// What the run on screen is doing.
public enum RunStatus: Equatable, Sendable {
    /// Reading and preparing the data.
    case starting(String)
    case running
    case paused
    /// All steps done, or stopped on request.
    case finished(String)
    case failed(String)
    /// A finished run reopened for browsing: no trainer.
    case browsing

    public var label: String {
        switch self {
        case .starting: return "starting"
        case .running: return "running"
        case .paused: return "paused"
        case .finished: return "stopped"
        case .failed: return "failed"
        case .browsing: return "read-only"
        }
    }

    public var detail: String? {
        switch self {
        case .starting(let s), .finished(let s), .failed(let s): return s
        default: return nil
        }
    }

    /// Whether a trainer is alive (and would need a checkpoint before quitting).
    public var isActive: Bool {
        switch self {
        case .running, .paused, .starting: return true
        default: return false
        }
    }
}
