import Foundation

/// The hypergeometric distribution: `draws` items taken without replacement from
/// `population` items of which `successes` are marked.
public enum Hypergeometric {
    /// P(X ≥ k), the chance of at least `k` marked items among the draws
    /// (`scipy.stats.hypergeom.sf(k - 1, population, successes, draws)`), summed term by
    /// term in log space.
    public static func upperTail(_ k: Int, population: Int, successes: Int, draws: Int) -> Double {
        precondition(population >= 0 && (0...population).contains(successes) && (0...population).contains(draws),
                     "Hypergeometric: \(successes) marked and \(draws) drawn of \(population)")
        let low = max(0, draws - (population - successes)), high = min(successes, draws)
        guard k > low else { return 1 }
        guard k <= high else { return 0 }
        func logChoose(_ n: Int, _ r: Int) -> Double { lgamma(Double(n + 1)) - lgamma(Double(r + 1)) - lgamma(Double(n - r + 1)) }
        let total = logChoose(population, draws)
        var sum = 0.0
        for x in k...high { sum += exp(logChoose(successes, x) + logChoose(population - successes, draws - x) - total) }
        return min(1, sum)
    }
}
