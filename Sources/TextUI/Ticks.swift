import Foundation

/// Axis ticks at "nice" values: multiples of 1, 2 or 5 times a power of ten.
public enum Ticks {
    /// About `count` ticks covering [low, high], each a multiple of the 1-2-5 step.
    public static func linear(_ low: Double, _ high: Double, count: Int = 5) -> [Double] {
        guard low.isFinite, high.isFinite, high > low, count >= 1 else { return low.isFinite ? [low] : [] }
        let step = niceStep((high - low) / Double(count))
        let first = Int((low / step).rounded(.up)), last = Int((high / step + 1e-9).rounded(.down))
        guard first <= last else { return [] }
        // k · step printed to 12 digits and read back: 0.6, not 0.6000000000000001.
        return (first...last).map { Double(String(format: "%.12g", Double($0) * step))! }
    }

    /// The 1-2-5 value nearest above `raw`.
    public static func niceStep(_ raw: Double) -> Double {
        let power = pow(10, floor(log10(raw)))
        let fraction = raw / power
        return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power
    }

    /// Ticks at 1, 2 and 5 times the powers of ten within [low, high] (both positive);
    /// only the powers of ten when that gives more than `count`.
    public static func logarithmic(_ low: Double, _ high: Double, count: Int = 6) -> [Double] {
        guard low > 0, high > low, low.isFinite, high.isFinite else { return [] }
        var ticks: [Double] = []
        for exponent in Int(floor(log10(low)))...Int(ceil(log10(high))) {
            for m in [1.0, 2, 5] {
                let v = m * pow(10, Double(exponent))
                if v >= low * (1 - 1e-9) && v <= high * (1 + 1e-9) { ticks.append(v) }
            }
        }
        if ticks.count > count { ticks = ticks.filter { abs(log10($0) - log10($0).rounded()) < 1e-9 } }
        return ticks
    }

    /// A short label: `0.002`, `1.5`, `2e+04`.
    public static func label(_ v: Double) -> String {
        if v == 0 { return "0" }
        let a = abs(v)
        if a >= 1e4 || a < 1e-3 { return String(format: "%.0e", v) }
        var s = String(format: a >= 1 ? "%.2f" : "%.4f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }
}
