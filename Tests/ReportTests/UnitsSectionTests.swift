import Analysis
import Foundation
import Networks
@testable import Report
import TextUI
import XCTest

/// The report's "white box in genes" section for a fixed reading: a snapshot, and what it
/// must say. Set WBDIT_RECORD_SNAPSHOTS=1 to rewrite the snapshot after a deliberate change.
final class UnitsSectionTests: XCTestCase {
    /// Two layers of four atoms over six genes, two heads, and baselines; every figure fixed.
    func reading() -> RunUnits {
        let types = ["B", "NK", "CD14 Mono"]
        func meaning(_ i: Int, enriched: Bool, auc: Double) -> UnitMeaning {
            UnitMeaning(index: i, topGenes: [(i % 6, 0.8 - 0.1 * Double(i)), ((i + 2) % 6, -0.5)], type: i == 3 ? nil : types[i % 3],
                        specificity: i == 3 ? .nan : auc, enrichedType: types[i % 3], pValue: enriched ? 1e-6 : 0.4, qValue: enriched ? 1e-5 : 0.6)
        }
        let units = (0..<2).flatMap { layer in
            (0..<4).map { RunUnits.Unit(layer: layer, kind: .atom, meaning: meaning($0, enriched: $0 < 2, auc: 0.95 - 0.1 * Double($0 + layer))) }
        } + (0..<2).map { RunUnits.Unit(layer: 0, kind: .head, meaning: meaning($0, enriched: false, auc: 0.7)) }
        let baselines = (0..<4).map { RunUnits.Unit(layer: 0, kind: .random, meaning: meaning($0, enriched: $0 == 0, auc: 0.8)) }
            + (0..<3).map { RunUnits.Unit(layer: nil, kind: .pca, meaning: meaning($0, enriched: false, auc: 0.91)) }
        return RunUnits(architecture: .whiteBox, units: units, heads: [], baselines: baselines,
                        geneNames: ["CD79A", "GNLY", "LYZ", "MS4A1", "NKG7", "S100A8"], tokenNames: [["LYZ"]], cells: 120, noiseStep: 10)
    }

    func testTheSectionMatchesItsSnapshot() throws {
        let html = HTMLReport(runs: [], theme: Theme.dark, machine: "test").unitsSection(reading())
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots/units-section.html")
        if ProcessInfo.processInfo.environment["WBDIT_RECORD_SNAPSHOTS"] == "1" { try Data(html.utf8).write(to: url) }
        XCTAssertEqual(html, try String(contentsOf: url, encoding: .utf8), "the section changed; rerun with WBDIT_RECORD_SNAPSHOTS=1 if that was meant")
        // Shares by kind: 4 of 8 atoms enriched; 1 of 8 specific (AUC ≥ 0.9: the first layer's atom 0 at 0.95; the second's at 0.85 is not).
        XCTAssertTrue(html.contains("<td>ISTA atoms</td><td>8</td><td>50.0%</td><td>12.5%</td>"), html)
        XCTAssertTrue(html.contains("<td>random directions, same layers</td><td>4</td><td>25.0%</td><td>0.0%</td>"), html)
        XCTAssertTrue(html.contains("<td>principal components</td><td>3</td><td>0.0%</td><td>100.0%</td>"), html)
        XCTAssertTrue(html.contains("CD79A +0.80"), "genes by name with their ρ")
        XCTAssertFalse(html.contains("<td>3</td><td>–</td>"), "a dead atom is not listed as specific")
    }

    /// The depth section for two noise levels: at one R^c falls and sparsity rises with depth, at the other not.
    func testTheDepthSectionSaysWhereCRATEsClaimsHold() throws {
        let profile = DepthProfile(levels: [
            .init(step: 10, layers: [LayerReadout(layer: 0, codingRate: 120, codingRateSD: 1, sparsity: 0.4),
                                     LayerReadout(layer: 1, codingRate: 100, codingRateSD: 1, sparsity: 0.5),
                                     LayerReadout(layer: 2, codingRate: 90, codingRateSD: 1, sparsity: 0.6)]),
            .init(step: 900, layers: [LayerReadout(layer: 0, codingRate: 110, codingRateSD: 1, sparsity: 0.5),
                                      LayerReadout(layer: 1, codingRate: 115, codingRateSD: 1, sparsity: 0.45),
                                      LayerReadout(layer: 2, codingRate: 80, codingRateSD: 1, sparsity: 0.7)]),
        ], ceiling: 129.3, cells: 256)
        let html = HTMLReport(runs: [], theme: Theme.dark, machine: "test").depthSection(profile)
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots/depth-section.html")
        if ProcessInfo.processInfo.environment["WBDIT_RECORD_SNAPSHOTS"] == "1" { try Data(html.utf8).write(to: url) }
        XCTAssertEqual(html, try String(contentsOf: url, encoding: .utf8), "the section changed; rerun with WBDIT_RECORD_SNAPSHOTS=1 if that was meant")
        XCTAssertTrue(html.contains("<td>10</td><td>120.0 → 100.0 → 90.0</td><td>yes</td><td>0.400 → 0.500 → 0.600</td><td>yes</td>"), html)
        XCTAssertTrue(html.contains("<td>900</td><td>110.0 → 115.0 → 80.0</td><td>no</td><td>0.500 → 0.450 → 0.700</td><td>no</td>"), html)
        XCTAssertEqual(html.components(separatedBy: "<svg").count - 1, 2, "two charts")
    }
}
