import Analysis
import CellData
import Kernels
import Foundation
import XCTest

/// What reads units in genes — Wilcoxon markers, Spearman's ρ, the per-type AUC, the
/// hypergeometric tail and Benjamini–Hochberg — against scanpy, scipy and scikit-learn on
/// the committed fixtures (Fixtures/make_unit_fixtures.py).
final class UnitMeaningParityTests: XCTestCase {
    func fixture(_ name: String) -> String {
        Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")!.path
    }

    func expected() throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixture("expected-units.json")))) as? [String: Any])
    }

    /// The fixture's cells, its 6 units (the first 6 columns of generated.npy, its first 10 rows again below) and labels.
    func inputs() throws -> (expression: CellMatrix, units: CellMatrix, labels: [String]) {
        let real = try CellMatrix.load(npy: fixture("real.npy"))
        let generated = try CellMatrix.load(npy: fixture("generated.npy"))
        let rows = Array(0..<generated.cells) + Array(0..<10)
        let units = rows.flatMap { c in (0..<6).map { generated.values[c * generated.genes + $0] } }
        return (real, CellMatrix(cells: rows.count, genes: 6, values: units), (0..<real.cells).map { ["a", "b", "c"][$0 % 3] })
    }

    func testWilcoxonMarkerScoresMatchScanpy() throws {
        let (expression, _, labels) = try inputs()
        let reference = try XCTUnwrap(expected()["wilcoxon"] as? [String: [Double]])
        let ours = MarkerGenes(cells: expression, labels: labels, method: .wilcoxon)
        for (k, label) in ours.labels.enumerated() {
            let theirs = try XCTUnwrap(reference[label])
            for (a, b) in zip(ours.scores[k], theirs) { XCTAssertEqual(a, b, accuracy: 1e-4 * max(1, abs(b)), label) }
        }
    }

    func testHypergeometricTailAndBenjaminiHochbergMatchScipy() throws {
        let e = try expected()
        for case let c as [String: Any] in try XCTUnwrap(e["hypergeometric"] as? [Any]) {
            let ours = Hypergeometric.upperTail(c["k"] as! Int, population: c["population"] as! Int, successes: c["successes"] as! Int,
                                                draws: c["draws"] as! Int)
            let theirs = c["upper_tail"] as! Double
            XCTAssertEqual(ours, theirs, accuracy: 1e-10 * max(1e-300, theirs) + 1e-15, "\(c)")
        }
        let q = FalseDiscoveryRate.benjaminiHochberg(try XCTUnwrap(e["p"] as? [Double]))
        for (a, b) in zip(q, try XCTUnwrap(e["bh"] as? [Double])) { XCTAssertEqual(a, b, accuracy: 1e-12) }
    }

    /// Each unit's genes are ranked by scipy's ρ, and its type and AUC are scikit-learn's best.
    func testUnitsTrackGenesAndTypesAsScipyAndScikitLearnSay() throws {
        let (expression, units, labels) = try inputs()
        let e = try expected()
        let rho = try XCTUnwrap(e["spearman"] as? [[Double]]), auc = try XCTUnwrap(e["auc"] as? [[Double]])
        let markers = UnitMeaning.markers(expression, labels: labels)
        let read = UnitMeaning.read(units, expression: expression, labels: labels, markers: markers)
        XCTAssertEqual(read.count, 6)
        for (u, meaning) in read.enumerated() {
            XCTAssertEqual(meaning.topGenes.count, UnitMeaning.topGenes)
            for (gene, ours) in meaning.topGenes { XCTAssertEqual(ours, rho[u][gene], accuracy: 1e-5, "unit \(u) gene \(gene)") }
            let strongest = rho[u].map(abs).max()!
            XCTAssertEqual(abs(meaning.topGenes[0].rho), strongest, accuracy: 1e-5, "unit \(u): the strongest gene first")
            let best = auc[u].max()!
            XCTAssertEqual(meaning.specificity, best, accuracy: 1e-12, "unit \(u)")
            XCTAssertEqual(meaning.type, ["a", "b", "c"][auc[u].firstIndex(of: best)!], "unit \(u)")
            XCTAssertTrue((0...1).contains(meaning.qValue) && meaning.qValue >= meaning.pValue - 1e-15, "unit \(u)")
        }
    }

    /// On cells of three types over 300 genes, each type raising its own 20: a unit that
    /// follows type a's program is enriched for a and specific to it; a constant unit is dead.
    func testAMarkerProgramIsEnrichedAndAConstantUnitIsDead() throws {
        var generator = SeededGenerator(seed: 3)
        let (n, g) = (90, 300)
        let labels = (0..<n).map { ["a", "b", "c"][$0 % 3] }
        var values = [Float](repeating: 0, count: n * g)
        for c in 0..<n { for j in 0..<g { values[c * g + j] = max(0, 1 + generator.nextNormal() + (j / 20 == c % 3 ? 2 : 0)) } }
        let expression = CellMatrix(cells: n, genes: g, values: values)
        let program = (0..<n).map { c in (0..<20).reduce(Float(0)) { $0 + values[c * g + $1] } }
        let units = CellMatrix(cells: n, genes: 2, values: program.flatMap { [$0, 1] })
        let read = UnitMeaning.read(units, expression: expression, labels: labels, markers: UnitMeaning.markers(expression, labels: labels))
        XCTAssertEqual(read[0].enrichedType, "a")
        XCTAssertTrue(read[0].isEnriched, "p \(read[0].pValue)")
        XCTAssertEqual(read[0].type, "a")
        XCTAssertGreaterThan(read[0].specificity, 0.95)
        XCTAssertNil(read[1].type, "a constant unit has no type")
        XCTAssertFalse(read[1].isEnriched)
    }
}
