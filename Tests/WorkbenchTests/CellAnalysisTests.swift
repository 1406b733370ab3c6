import Analysis
import CellData
import Diffusion
@testable import Workbench
import Foundation
import XCTest

/// The background analysis: the map forms in snapshots, generated cells are measured and
/// placed on it, and an evaluation comes back — all as events in the inbox.
final class CellAnalysisTests: XCTestCase {
    func waitFor(_ inbox: Inbox, seconds: Double = 60, until done: (WorkbenchEvent) -> Bool) -> [WorkbenchEvent] {
        var seen: [WorkbenchEvent] = []
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let events = inbox.drain()
            seen += events
            if events.contains(where: done) { return seen }
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTFail("timed out")
        return seen
    }

    func testMapSamplesPlacementAndEvaluation() throws {
        let inbox = Inbox()
        let reference = ScriptedRun.reference()
        let analysis = CellAnalysis(reference: reference, logNormalised: true, inbox: inbox)
        analysis.buildMap()
        var samples = ScriptedRun.samples(step: 250)
        samples.cells = []
        analysis.analyse(samples)
        let events = waitFor(inbox) { if case .map(let m) = $0 { return m.generated != nil && m.phase == "done" }; return false }
        let maps = events.compactMap { e -> CellMap? in if case .map(let m) = e { return m }; return nil }
        XCTAssertGreaterThan(maps.filter { $0.generated == nil }.count, 10, "the map is posted as it forms")
        XCTAssertEqual(maps.last?.generated?.count, 2 * samples.count)
        XCTAssertEqual(maps.last?.real.count, 2 * reference.count)
        let measured = try XCTUnwrap(events.compactMap { e -> SampleSet? in if case .samples(let s) = e { return s }; return nil }.first)
        XCTAssertEqual(measured.cells.count, samples.count)
        for (i, cell) in measured.cells.enumerated() {
            // Each scripted generated cell was made from reference cell (7 i) mod 60 plus a little
            // noise; its nearest real cell is that one or an identical copy of it.
            func row(_ c: Int) -> ArraySlice<Float> { reference.values[(c * 40)..<((c + 1) * 40)] }
            XCTAssertEqual(row(cell.nearestReal), row((i * 7) % 60), "cell \(i)")
            let row = measured.values[(i * 40)..<((i + 1) * 40)]
            XCTAssertEqual(cell.genesDetected, row.filter { $0 > 0 }.count)
            XCTAssertEqual(cell.librarySize, row.reduce(0.0) { $0 + Double(expm1($1)) }, accuracy: 1e-3)
        }
        analysis.evaluate(measured, runPath: nil)
        let evaluated = waitFor(inbox) { if case .evaluation = $0 { return true }; return false }
        let metrics = try XCTUnwrap(evaluated.compactMap { e -> [EvaluationReport.Figure]? in if case .evaluation(_, let m) = e { return m }; return nil }.first)
        XCTAssertTrue(metrics.contains { $0.key == "knn_auc" && $0.generated.isFinite })
    }

    /// With a count model, generated cells are shown as counts: whole UMIs per cell, the
    /// genes with a count, and log-normalised values on the map.
    func testWithACountModelSamplesAreShownAsCounts() throws {
        let inbox = Inbox()
        let reference = ScriptedRun.reference()
        let real = CellMatrix(cells: reference.count, genes: reference.genes, values: reference.values)
        let basis = try XCTUnwrap(PrincipalBasis(fitting: real)).leading(5)
        let model = CountModel(fitting: real, librarySizes: Array(repeating: 5000, count: real.cells), basis: basis, targetSum: 1e4)
        let analysis = CellAnalysis(reference: reference, logNormalised: true, inbox: inbox, countModel: { model })
        var samples = ScriptedRun.samples(step: 250)
        samples.cells = []
        analysis.analyse(samples)
        let events = waitFor(inbox) { if case .samples = $0 { return true }; return false }
        let measured = try XCTUnwrap(events.compactMap { e -> SampleSet? in if case .samples(let s) = e { return s }; return nil }.first)
        XCTAssertTrue(measured.isCounts)
        for (i, cell) in measured.cells.enumerated() {
            XCTAssertEqual(cell.librarySize, cell.librarySize.rounded(), "whole UMIs, cell \(i)")
            let row = measured.values[(i * 40)..<((i + 1) * 40)]
            XCTAssertEqual(cell.genesDetected, row.filter { $0 > 0 }.count)
            // Log-normalised with the 5000-count library size every reference cell has.
            let counts = row.map { (expm1($0) * 5000 / 1e4).rounded() }
            XCTAssertEqual(cell.librarySize, Double(counts.reduce(0, +)), accuracy: 1e-6)
        }
        XCTAssertNotEqual(measured.values, samples.values, "counts, not the network's cells")
    }
}
