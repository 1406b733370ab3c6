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

/// Whole-file writes that either land completely or not at all: the bytes go to a
/// temporary file beside the target, are flushed to disk, and are renamed over it.
/// A crash at any moment leaves either the old file or the new one, never a mix.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String) throws {
        let partial = PartialFile(target: path)
        let fd = open(partial.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("cannot write", path) }
        var ok = data.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; return false }
                offset += n
            }
            return true
        }
        let writeErrno = errno
        if ok { ok = fsync(fd) == 0 }
        close(fd)
        guard ok else {
            partial.discard()
            errno = writeErrno
            throw failure("cannot write", path)
        }
        try partial.commit()
        // Make the rename itself durable.
        let directory = (path as NSString).deletingLastPathComponent
        let dirFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 { fsync(dirFD); close(dirFD) }
    }

    private static func failure(_ what: String, _ path: String) -> FileWriteError {
        FileWriteError(description: "\(what) \(path): \(String(cString: strerror(errno)))", code: errno)
    }
}
