@testable import Analysis
import Foundation
import XCTest

/// report.json: figures as key/key_floor pairs, null for what is not finite, read back
/// into the same report.
final class EvaluationReportTests: XCTestCase {
    func testFiguresArePairsOfKeysAndNonFiniteFiguresAreNull() throws {
        var report = try JSONDecoder().decode(EvaluationReport.self, from: Data("""
            {"knn_auc": 0.61, "knn_auc_floor": 0.55, "real_cells": 301, "chance": null,
             "orphan": 3, "per_label": [{"label": "a", "real_cells": 2, "generated_cells": 3, "accuracy": null,
             "accuracy_floor": 0.5, "mmd2": 0.1, "mmd2_floor": 0.05, "marker_overlap": 1}]}
            """.utf8))
        XCTAssertEqual(report.figures, [EvaluationReport.Figure(key: "knn_auc", generated: 0.61, floor: 0.55)],
                       "a key without its _floor is not a figure")
        XCTAssertEqual(report.realCells, 301)
        XCTAssertTrue(report.perLabel?.first?.accuracy.isNaN ?? false)
        report.figures.append(EvaluationReport.Figure(key: "mmd2_rbf", generated: .nan, floor: .infinity))
        let text = String(decoding: try report.encoded(), as: UTF8.self)
        XCTAssertTrue(text.hasSuffix("}\n") && !text.dropLast().contains("\n"), "one line: \(text)")
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        XCTAssertTrue(object["mmd2_rbf"] is NSNull && object["mmd2_rbf_floor"] is NSNull, text)
        XCTAssertEqual(object["knn_auc_floor"] as? Double, 0.55)
        XCTAssertNil(object["orphan"], "only what the report holds is written")
        let again = try JSONDecoder().decode(EvaluationReport.self, from: Data(text.utf8))
        XCTAssertEqual(again.figures.map(\.key), ["knn_auc", "mmd2_rbf"])
        XCTAssertTrue(again.figure("mmd2_rbf")!.generated.isNaN && again.figure("mmd2_rbf")!.floor.isNaN)
    }
}
