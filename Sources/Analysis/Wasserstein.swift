/// The 1-D Wasserstein (earth mover's) distance between two samples, as
/// `scipy.stats.wasserstein_distance` computes it: ∫ |F_u(x) − F_v(x)| dx over the
/// empirical distribution functions.
public enum Wasserstein {
    public static func distance(_ u: [Double], _ v: [Double]) -> Double {
        precondition(!u.isEmpty && !v.isEmpty, "Wasserstein.distance: empty sample")
        let (su, sv) = (u.sorted(), v.sorted())
        let all = (su + sv).sorted()
        var (iu, iv) = (0, 0)
        var total = 0.0
        for k in 0..<(all.count - 1) {
            // F(all[k]) = the fraction of values ≤ all[k].
            while iu < su.count && su[iu] <= all[k] { iu += 1 }
            while iv < sv.count && sv[iv] <= all[k] { iv += 1 }
            let gap = all[k + 1] - all[k]
            total += abs(Double(iu) / Double(su.count) - Double(iv) / Double(sv.count)) * gap
        }
        return total
    }
}
