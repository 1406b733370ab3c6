import Analysis
import Diffusion
import Foundation
import Networks
import Report

/// `wbdit inspect --units`: a run's units read in genes and cell types, as a table or as
/// JSON lines.
struct UnitsReport {
    let read: RunUnits
    let path: String
    let column: String?
    let top: Int
    let json: Bool

    init(_ command: Inspect) throws {
        guard let path = command.runPath, command.checkpoint == nil, command.data == nil else {
            throw InputError("--units reads a run: give --run")
        }
        let noiseStep = command.noiseStep ?? RunUnits.defaultNoiseStep
        guard (1...(NoiseSchedule.steps - 1)).contains(noiseStep) else {
            throw InputError("--noise-step must be between 1 and \(NoiseSchedule.steps - 1) (got \(noiseStep))")
        }
        guard command.top >= 1 else { throw InputError("--top must be at least 1 (got \(command.top))") }
        read = try RunUnits(run: TrainedRun(path: path), labels: command.labels, noiseStep: noiseStep, seed: command.seed)
        (self.path, column, top, json) = (path, command.labels, command.top, command.json)
    }

    func print() throws {
        if json { return Swift.print(read.jsonLines, terminator: "") }
        let whiteBox = read.architecture == .whiteBox
        let units = read.kinds[0].name
        Swift.print("\(whiteBox ? "white-box" : "DiT") network of \(path): \(read.cells) held-out cells noised to step \(read.noiseStep), types from \(column ?? "the run's own column")")
        let genes = read.geneNames.count
        Swift.print("Enriched: the \(UnitMeaning.selection(UnitMeaning.enrichmentGenes, genes: genes)) genes most correlated with a direction hold one type's \(UnitMeaning.selection(UnitMeaning.markersPerType, genes: genes)) markers (Wilcoxon, training cells) beyond chance (hypergeometric, BH q ≤ \(UnitMeaning.enrichmentLevel)).")
        Swift.print("Specific: its activation tells one type (≥ \(UnitMeaning.smallestType) cells) from the rest with AUC ≥ \(UnitMeaning.specificLevel).")
        func share(_ k: Int, _ n: Int) -> String { String(format: "%.1f%%", 100 * Double(k) / Double(max(1, n))) }
        Swift.print(Table([["directions", "count", "enriched", "specific"]] + read.kinds.map { name, kind in
            let c = read.count(kind)
            return [name, String(c.total), share(c.enriched, c.total), share(c.specific, c.total)]
        }).text)
        for layer in Set(read.units.compactMap(\.layer)).sorted() {
            let ranked = read.mostSpecific(layer: layer)
            Swift.print("\nLayer \(layer + 1): the \(min(top, ranked.count)) most specific \(units)")
            Swift.print(Table([[whiteBox ? "atom" : "unit", "type", "AUC", "enriched for (q)", "genes tracking it (Spearman ρ)"]]
                + ranked.prefix(top).map { m in
                    return [String(m.index), m.type ?? "–", String(format: "%.3f", m.specificity),
                            m.isEnriched ? "\(m.enrichedType ?? "–") (\(String(format: "%.1g", m.qValue)))" : "–",
                            read.trackingGenes(m, count: 6).joined(separator: ", ")]
                }).text)
        }
        Swift.print("\nTokens: " + read.tokenNames.enumerated().map { "\($0 + 1) \($1.joined(separator: "/"))" }.joined(separator: " · "))
        let n = read.tokenNames.count
        Swift.print(Table([["layer", "head", "strongest attention (token → token, weight)", "type", "AUC"]] + read.heads.map { head in
            let (i, j) = (0..<(n * n)).max { head.attention[$0] < head.attention[$1] }.map { ($0 / n, $0 % n) }!
            let meaning = read.units.first { $0.kind == .head && $0.layer == head.layer && $0.meaning.index == head.index }?.meaning
            return [String(head.layer + 1), String(head.index), String(format: "%d → %d (%.2f)", i + 1, j + 1, head.attention[i * n + j]),
                    meaning?.type ?? "–", meaning.map { String(format: "%.3f", $0.specificity) } ?? "–"]
        }).text)
    }
}
