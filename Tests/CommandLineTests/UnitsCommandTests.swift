import Foundation
import TestSupport
import XCTest

/// `wbdit inspect --units` on a committed run (Fixtures/units-run: a white-box network on
/// 12 principal components of 100 genes of the Zeisel slice, 4 tokens, 2 layers of 16
/// atoms and 2 heads, stratified by level1 with half the cells held out, 40 steps).
final class UnitsCommandTests: XCTestCase {
    let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/units-run").path

    func copy() throws -> String {
        let path = NSTemporaryDirectory() + "wbdit-units-\(UUID().uuidString)"
        try FileManager.default.copyItem(atPath: fixture, toPath: path)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func testJSONReadsEveryAtomHeadAndBaselineInGenesAndTypes() throws {
        let run = try copy()
        let result = try CommandRunner.wbdit(["inspect", "--run", run, "--units", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let objects = try result.stdout.split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/config.json"))) as? [String: Any])
        let genes = Set(try XCTUnwrap((config["data"] as? [String: Any])?["geneNames"] as? [String]))
        let types: Set<String> = ["astrocytes_ependymal", "endothelial-mural", "interneurons", "microglia", "oligodendrocytes",
                                  "pyramidal CA1", "pyramidal SS"]
        var kinds: [String: Int] = [:]
        for object in objects {
            let kind = try XCTUnwrap(object["kind"] as? String)
            kinds[kind, default: 0] += 1
            for key in ["layer", "index", "top_genes", "type", "specificity", "enriched_type", "p_value", "q_value"] {
                XCTAssertNotNil(object[key], "\(kind) lacks \(key)")
            }
            let (p, q) = (try XCTUnwrap(object["p_value"] as? Double), try XCTUnwrap(object["q_value"] as? Double))
            XCTAssertTrue((0...1).contains(p) && q >= p * 0.99999 && q <= 1, "\(object)")
            if let type = object["type"] as? String {
                XCTAssertTrue(types.contains(type), type)
                XCTAssertTrue((0...1).contains(try XCTUnwrap(object["specificity"] as? Double)), "an AUC")
            }
            let top = try XCTUnwrap(object["top_genes"] as? [[String: Any]])
            let rhos = top.compactMap { $0["rho"] as? Double }
            XCTAssertTrue(top.allSatisfy { genes.contains($0["gene"] as? String ?? "") }, "genes by the run's names")
            XCTAssertEqual(rhos.map(abs), rhos.map(abs).sorted(by: >), "strongest first")
            XCTAssertTrue(rhos.allSatisfy { (-1...1).contains($0) })
            if kind == "head" {
                let attention = try XCTUnwrap(object["attention"] as? [[Double]])
                XCTAssertEqual(attention.count, 4, "4 tokens")
                for row in attention { XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-4, "each token's weights sum to 1") }
                XCTAssertEqual((object["tokens"] as? [[String]])?.count, 4)
            }
        }
        XCTAssertEqual(kinds, ["atom": 32, "head": 4, "random": 32, "pca": 50])
        XCTAssertTrue(objects.contains { $0["type"] is String }, "some atom is read as a type")

        let again = try CommandRunner.wbdit(["inspect", "--run", run, "--units", "--json"])
        XCTAssertEqual(again.stdout, result.stdout, "the same reading every time")
        let table = try CommandRunner.wbdit(["inspect", "--run", run, "--units"])
        XCTAssertEqual(table.status, 0, table.stderr)
        for line in ["ISTA atoms", "MSSA heads", "random directions", "principal components", "Layer 2", "Tokens: 1 "] {
            XCTAssertTrue(table.stdout.contains(line), "\(line) in\n\(table.stdout)")
        }
    }

    /// Layer readouts at one noise level, on held-out cells, as JSON.
    func testLayerReadoutsAtOneNoiseStep() throws {
        let run = try copy()
        let result = try CommandRunner.wbdit(["inspect", "--run", run, "--noise-step", "100", "--cells", "50", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["noise_step"] as? Int, 100)
        XCTAssertEqual(object["cells"] as? Int, 50)
        let layers = try XCTUnwrap(object["layers"] as? [[String: Any]])
        XCTAssertEqual(layers.map { $0["layer"] as? Int }, [1, 2])
        for layer in layers {
            let (rate, ceiling) = (try XCTUnwrap(layer["coding_rate"] as? Double), try XCTUnwrap(layer["ceiling"] as? Double))
            // 4 tokens in 2 heads of width 8: 2·(4/2)·ln(1 + 8/(4·0.01)).
            XCTAssertEqual(ceiling, 4 * log(201.0), accuracy: 1e-9)
            XCTAssertTrue(rate > 0 && rate <= ceiling, "\(rate) of \(ceiling)")
        }
        let spread = try CommandRunner.wbdit(["inspect", "--run", run, "--cells", "50", "--json"])
        XCTAssertNotEqual(spread.stdout, result.stdout, "one noise level is not the spread")
    }

    /// Scaling an atom by 1 changes nothing, to the bit; removing it changes the cells.
    func testSamplingWithOneAtomScaled() throws {
        let run = try copy()
        func sample(_ extra: [String]) throws -> Data {
            let out = run + "/cells-\(UUID().uuidString).npy"
            let result = try CommandRunner.wbdit(["sample", "--run", run, "--n", "4", "--steps", "5", "--values", "network", "--out", out] + extra)
            XCTAssertEqual(result.status, 0, result.stderr)
            return try Data(contentsOf: URL(fileURLWithPath: out))
        }
        let plain = try sample([])
        XCTAssertEqual(try sample(["--scale-unit", "2:3:1"]), plain)
        XCTAssertNotEqual(try sample(["--scale-unit", "2:3:0"]), plain)
        for (spec, message) in [("3:0:1", "layer 3 of a network with 2"), ("1:16:1", "unit 16 of a layer with 16"), ("1:2", "LAYER:UNIT:FACTOR"),
                                ("1:2:nan", "a scale of nan")] {
            let result = try CommandRunner.wbdit(["sample", "--run", run, "--n", "2", "--out", run + "/x.npy", "--scale-unit", spec])
            XCTAssertEqual(result.status, 2, spec)
            XCTAssertTrue(result.stderr.contains(message), "\(spec): \(result.stderr)")
        }
    }

    func testWhatUnitsCannotReadIsAOneLineError() throws {
        let run = try copy()
        for (arguments, message) in [(["--units", "--noise-step", "0"], "--noise-step"), (["--units", "--labels", "nope"], "nope"),
                                     (["--labels", "level1"], "--units"), (["--units", "--top", "0"], "--top"),
                                     (["--noise-step", "1000"], "--noise-step")] {
            let result = try CommandRunner.wbdit(["inspect", "--run", run] + arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, "\(arguments): \(result.stderr)")
        }
    }
}
