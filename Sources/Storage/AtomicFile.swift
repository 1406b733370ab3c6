import Foundation

/// A file could not be written; the message names the file and the system's reason.
public struct FileWriteError: Error, CustomStringConvertible {
    public let description: String
    /// The system's errno for the failure, when it gave one.
    public let code: Int32

    public init(description: String, code: Int32 = 0) { (self.description, self.code) = (description, code) }

    /// Whether the device failed the write (full, over a size limit or quota, an I/O error),
    /// rather than the path being one that cannot be written (a missing folder, a folder
    /// where the file should be, no permission): the first is a failed run, the second bad input.
    public var deviceFailed: Bool { [ENOSPC, EFBIG, EDQUOT, EIO].contains(code) }
}

/// Files that either land completely or not at all: the bytes go to a temporary file
/// beside the target, are flushed to disk, and are renamed over it. A crash at any moment
/// leaves either the old file or the new one, never a mix. `write` takes the whole file;
/// an `AtomicFile` opened on a path takes it a piece at a time (`append`) until `commit`.
public final class AtomicFile {
    public let path: String
    private let partial: PartialFile
    private var fd: Int32

    public init(path: String) throws {
        self.path = path
        partial = PartialFile(target: path)
        fd = open(partial.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Self.failure("cannot write", path) }
    }

    deinit { if fd >= 0 { close(fd) } }   // the partial file deletes itself

    /// The next bytes of the file.
    public func append(_ data: Data) throws {
        let ok = data.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; return false }
                offset += n
            }
            return true
        }
        guard ok else { throw abandon() }
    }

    /// Flushes the file to disk and renames it over the target, durably.
    public func commit() throws {
        guard fsync(fd) == 0 else { throw abandon() }
        close(fd)
        fd = -1
        try partial.commit()
        let directory = (path as NSString).deletingLastPathComponent
        let dirFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 { fsync(dirFD); close(dirFD) }
    }

    /// Deletes what was written, keeping errno's reason for the error returned.
    private func abandon() -> FileWriteError {
        let reason = errno
        close(fd)
        fd = -1
        partial.discard()
        errno = reason
        return Self.failure("cannot write", path)
    }

    /// Writes `data` as the whole file.
    public static func write(_ data: Data, to path: String) throws {
        let file = try AtomicFile(path: path)
        try file.append(data)
        try file.commit()
    }

    private static func failure(_ what: String, _ path: String) -> FileWriteError {
        FileWriteError(description: "\(what) \(path): \(String(cString: strerror(errno)))", code: errno)
    }
}
