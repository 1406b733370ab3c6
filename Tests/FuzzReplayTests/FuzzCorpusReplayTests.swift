import Foundation
import FuzzHarness
import XCTest

/// Replays the committed fuzz corpus (Tests/Fuzz/Corpus/TARGET: the seeds and every input
/// libFuzzer kept) and every crash it found (Tests/Fuzz/Crashes/TARGET, each fixed since)
/// through the parsers: none may trap.
final class FuzzCorpusReplayTests: XCTestCase {
    let fuzz = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../Fuzz").standardized.path

    func testEveryCorpusInputIsParsedOrRefusedWithoutATrap() throws {
        var replayed = 0
        for target in FuzzHarness.targets {
            let seeds = try FileManager.default.contentsOfDirectory(atPath: fuzz + "/Corpus/" + target)
            XCTAssertFalse(seeds.isEmpty, "\(target) has no seeds")
            let crashes = (try? FileManager.default.contentsOfDirectory(atPath: fuzz + "/Crashes/" + target)) ?? []
            for path in seeds.sorted().map({ fuzz + "/Corpus/\(target)/" + $0 }) + crashes.sorted().map({ fuzz + "/Crashes/\(target)/" + $0 }) {
                FuzzHarness.run(target, FileManager.default.contents(atPath: path) ?? Data())
                replayed += 1
            }
        }
        XCTAssertGreaterThan(replayed, 30)
    }
}
