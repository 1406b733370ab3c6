/// The two-sample Kolmogorov–Smirnov statistic, as `scipy.stats.ks_2samp(...).statistic`
/// computes it: the largest gap between the two empirical distribution functions.
public enum KolmogorovSmirnov {
    public static func statistic(_ u: [Double], _ v: [Double]) -> Double {
        precondition(!u.isEmpty && !v.isEmpty, "KolmogorovSmirnov.statistic: empty sample")
        let (su, sv) = (u.sorted(), v.sorted())
        var (iu, iv) = (0, 0)
        var largest = 0.0
        while iu < su.count && iv < sv.count {
            // Step both functions past the next value (ties move together).
            let x = min(su[iu], sv[iv])
            while iu < su.count && su[iu] <= x { iu += 1 }
            while iv < sv.count && sv[iv] <= x { iv += 1 }
            largest = max(largest, abs(Double(iu) / Double(su.count) - Double(iv) / Double(sv.count)))
        }
        return largest
    }
}
