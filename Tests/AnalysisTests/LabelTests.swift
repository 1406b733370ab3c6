import Analysis
import CellData
import Foundation
import XCTest

/// Marker genes against scanpy's rank_genes_groups (t-test) and label transfer against
/// scikit-learn's KNeighborsClassifier (`Tests/AnalysisTests/Fixtures/make_label_fixtures.py`).
final class LabelTests: XCTestCase {
    func fixture(_ name: String) -> String {
        Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")!.path
    }

    func load() throws -> (CellMatrix, [String], [String: Any]) {
        let points = try CellMatrix.load(npy: fixture("tsne-points.npy"))
        let tsne = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixture("expected-tsne.json")))) as? [String: Any])
        let labels = try XCTUnwrap(tsne["labels"] as? [Int]).map { "type\($0)" }
        let expected = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixture("expected-labels.json")))) as? [String: Any])
        return (points, labels, expected)
    }

    func testMarkerScoresMatchScanpy() throws {
        let (points, labels, expected) = try load()
        let markers = MarkerGenes(cells: points, labels: labels)
        let reference = try XCTUnwrap(expected["markers"] as? [String: [String: [Double]]])
        XCTAssertEqual(Set(markers.labels), Set(reference.keys))
        for (label, entry) in reference {
            let genes = try XCTUnwrap(entry["genes"]).map { Int($0) }, scores = try XCTUnwrap(entry["scores"])
            XCTAssertEqual(markers.top(label, 5), Array(genes.prefix(5)), label)
            let k = try XCTUnwrap(markers.labels.firstIndex(of: label))
            for (gene, score) in zip(genes, scores) {
                // scanpy computes in float32.
                XCTAssertEqual(markers.scores[k][gene], score, accuracy: 1e-4 * max(1, abs(score)), "\(label) gene \(gene)")
            }
        }
        let same = MarkerGenes.overlap(real: markers, generated: markers, count: 3)
        XCTAssertEqual(same.map(\.overlap), Array(repeating: 1, count: 5))
    }

    func testLabelTransferMatchesScikitLearn() throws {
        let (points, labels, expected) = try load()
        let generated = try CellMatrix.load(npy: fixture("label-generated.npy"))
        let transfer = LabelTransfer(real: points, labels: labels, generated: generated)
        XCTAssertEqual(transfer.predicted, try XCTUnwrap(expected["predicted"] as? [String]))
        let requested = stride(from: 0, to: points.cells, by: 3).map { labels[$0] }
        XCTAssertGreaterThan(transfer.accuracy(requested: requested), 0.9)
        XCTAssertEqual(LabelTransfer.mixDistance(["a", "a", "b", "b"], ["a", "b", "b", "b"]), 0.25, accuracy: 1e-12)
    }
}
