import Kernels
import XCTest

final class ParallelTests: XCTestCase {
    func testRangesCoverExactlyOnceInOrder() {
        for total in [0, 1, 2, 7, 100, 101] {
            for chunks in 1...5 {
                let ranges = (0..<chunks).map { Parallel.range($0, of: chunks, total: total) }
                XCTAssertEqual(ranges.flatMap { Array($0) }, Array(0..<total), "total \(total), chunks \(chunks)")
            }
        }
    }

    func testForEachVisitsEveryIndexOnce() {
        Threads.configure(2)
        let count = 1 << 16
        let hits = FloatBuffer(count: count)
        Parallel.forEach(count) { range in for i in range { hits[i] += 1 } }
        XCTAssertEqual(hits.array, [Float](repeating: 1, count: count))
    }
}
