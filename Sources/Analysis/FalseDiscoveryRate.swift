/// Benjamini–Hochberg q-values (`scipy.stats.false_discovery_control(p, method="bh")`):
/// q_(i) = min over j ≥ i of p_(j)·m/j for the p-values sorted ascending, capped at 1.
public enum FalseDiscoveryRate {
    public static func benjaminiHochberg(_ p: [Double]) -> [Double] {
        let m = p.count
        let order = p.indices.sorted { (p[$0], $0) < (p[$1], $1) }
        var q = [Double](repeating: 1, count: m)
        var running = 1.0
        for rank in stride(from: m, through: 1, by: -1) {
            let i = order[rank - 1]
            running = min(running, p[i] * Double(m) / Double(rank))
            q[i] = min(1, running)
        }
        return q
    }
}
