import Foundation

extension RunUnits {
    /// One JSON object per line for every unit, head and baseline direction:
    /// `layer` (from 1, as `sample --scale-unit` takes it; null for a principal component), `kind` (atom, unit, head, random, pca),
    /// `index`, `top_genes` ([{"gene", "rho"}], strongest first), `type` and `specificity`
    /// (its most specific cell type and the AUC there; null for a dead unit),
    /// `enriched_type`, `p_value`, `q_value`; a head also has `attention` ([tokens][tokens],
    /// row i: how much token i attends to each) and `tokens` (each token's top genes).
    public var jsonLines: String {
        let attention = Dictionary(uniqueKeysWithValues: heads.map { ("\($0.layer)/\($0.index)", $0.attention) })
        let n = tokenNames.count
        return (units + baselines).map { unit -> String in
            let m = unit.meaning
            var object: [String: Any] = [
                "layer": unit.layer.map { ($0 + 1) as Any } ?? NSNull(), "kind": unit.kind.rawValue, "index": m.index,
                "top_genes": m.topGenes.map { ["gene": geneNames[$0.gene], "rho": Self.rounded($0.rho)] },
                "type": m.type.map { $0 as Any } ?? NSNull(),
                "specificity": m.specificity.isFinite ? Self.rounded(m.specificity) : NSNull(),
                "enriched_type": m.enrichedType.map { $0 as Any } ?? NSNull(),
                "p_value": Self.rounded(m.pValue), "q_value": Self.rounded(m.qValue),
            ]
            if unit.kind == .head, let layer = unit.layer, let weights = attention["\(layer)/\(m.index)"] {
                object["attention"] = (0..<n).map { i in (0..<n).map { Self.rounded(Double(weights[i * n + $0])) } }
                object["tokens"] = tokenNames
            }
            let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            return String(decoding: data, as: UTF8.self)
        }.joined(separator: "\n") + "\n"
    }

    /// Six significant digits: what a reader needs, and the same on every machine.
    static func rounded(_ x: Double) -> Double { Double(String(format: "%.6g", x)) ?? x }
}
