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

    /// Jobs straight after one another find the workers spinning; after a pause longer than
    /// `WorkerPool.spinBeforeSleeping` they are asleep and must be woken. Either way every
    /// rank runs every job once, and a barrier inside it holds.
    func testEveryRankRunsEveryJobWhetherWorkersSpinOrSleep() {
        let previous = Threads.count
        Threads.configure(3)
        defer { Threads.configure(previous) }
        let ranks = 3, jobs = 40
        let runs = FloatBuffer(count: ranks), afterBarrier = FloatBuffer(count: ranks)
        let job: (Int) -> Void = { rank in
            runs[rank] += 1
            Parallel.barrier()
            // Every rank has counted this job before any reads the others' counts.
            afterBarrier[rank] = (0..<ranks).map { runs[$0] }.min()!
        }
        for j in 0..<jobs {
            if j % 4 == 3 { usleep(3000) }   // long enough for the workers to sleep
            Parallel.team(job)
            XCTAssertEqual(runs.array, [Float](repeating: Float(j + 1), count: ranks), "job \(j)")
            XCTAssertEqual(afterBarrier.array, [Float](repeating: Float(j + 1), count: ranks), "job \(j)")
        }
    }
}
