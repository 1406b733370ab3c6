@testable import Diffusion
import Foundation
import XCTest

/// One writer per run: the lock names its holder, refuses others, and a dead holder's lock
/// on this host is taken over.
final class RunLockTests: XCTestCase {
    var run: RunDirectory!

    override func setUpWithError() throws {
        run = RunDirectory(path: NSTemporaryDirectory() + "wbdit-lock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: run.path, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: run.path) }

    func plant(host: String, pid: Int32) throws {
        let holder = RunLock.Holder(host: host, pid: pid, engine: "torch", started: "2026-12-02T07:00:00Z")
        try JSONEncoder().encode(holder).write(to: URL(fileURLWithPath: RunLock.path(of: run)))
    }

    func testTheLockNamesItsHolderAndGoesWhenReleased() throws {
        let lock = try RunLock.acquire(run)
        let holder = try XCTUnwrap(RunLock.holder(of: run))
        XCTAssertEqual(holder.pid, getpid())
        XCTAssertEqual(holder.engine, "wbdit")
        lock.release()
        XCTAssertNil(RunLock.holder(of: run))
    }

    func testALiveHolderIsRefusedAndADeadOneTakenOver() throws {
        // pid 1 always runs; a pid past the kernel's limit never does.
        try plant(host: ProcessInfo.processInfo.hostName, pid: 1)
        XCTAssertThrowsError(try RunLock.acquire(run)) { XCTAssertTrue("\($0)".contains("is being trained by pid 1 on"), "\($0)") }
        try plant(host: ProcessInfo.processInfo.hostName, pid: 99_999_999)
        let lock = try RunLock.acquire(run)
        XCTAssertEqual(RunLock.holder(of: run)?.pid, getpid(), "the stale lock was taken over")
        lock.release()
        try plant(host: "another-host", pid: 42)
        XCTAssertThrowsError(try RunLock.acquire(run)) {
            XCTAssertTrue("\($0)".contains("pid 42 on another-host") && "\($0)".contains("remove"), "\($0)")
        }
    }
}
