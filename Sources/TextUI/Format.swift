import Foundation

/// Human-readable quantities with units.
public enum Format {
    public static func seconds(_ s: Double) -> String {
        s >= 1 ? String(format: "%.3f s", s) : String(format: "%.1f ms", s * 1000)
    }

    /// A 20-cell bar for a fraction in [0, 1]: [████████░░░░░░░░░░░░].
    public static func bar(_ fraction: Double, width: Int = 20) -> String {
        let filled = max(0, min(width, Int((fraction * Double(width)).rounded(.down))))
        return "[" + String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled) + "]"
    }

    /// 42 s, 3 min 05 s, 1 h 02 min.
    public static func duration(_ s: Double) -> String {
        guard s.isFinite else { return "--" }
        let t = Int(s.rounded())
        if t < 60 { return "\(t) s" }
        if t < 3600 { return String(format: "%d min %02d s", t / 60, t % 60) }
        return String(format: "%d h %02d min", t / 3600, (t % 3600) / 60)
    }

    public static func bytes(_ n: Int) -> String {
        let mib = Double(n) / 1_048_576
        return mib >= 1024 ? String(format: "%.2f GiB", mib / 1024) : String(format: "%.0f MiB", mib)
    }

    /// `text` padded with spaces (or cut) to `width` characters; right-aligned when asked.
    public static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let cut = String(text.prefix(width))
        let fill = String(repeating: " ", count: max(0, width - cut.count))
        return right ? fill + cut : cut + fill
    }
}
