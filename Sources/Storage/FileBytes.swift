import Foundation

/// A whole file's bytes. `FileManager.contents(atPath:)` leaks its read buffer for an
/// empty file (swift-corelibs Foundation on Linux, found by fuzzing), so an empty file is
/// answered here without reading it.
public enum FileBytes {
    /// The file's bytes, or nil when it cannot be read (`problem(reading:)` says why).
    public static func read(_ path: String) -> Data? {
        var status = stat()   // the target's size, through a symbolic link
        guard problem(reading: path) == nil, stat(path, &status) == 0 else { return nil }
        return status.st_size == 0 ? Data() : FileManager.default.contents(atPath: path)
    }

    /// Why `path` cannot be read as a file, the end of a "cannot read PATH: …" line (no such
    /// file, a folder, no permission, not a regular file), or nil when it can.
    public static func problem(reading path: String) -> String? {
        var status = stat()   // follows symbolic links, as opening the file will
        guard stat(path, &status) == 0 else {
            return errno == ENOENT || errno == ENOTDIR ? "no such file" : String(cString: strerror(errno)).lowercased()
        }
        switch status.st_mode & S_IFMT {
        case S_IFDIR: return "it is a folder, not a file"
        case S_IFREG: return access(path, R_OK) == 0 ? nil : "permission denied"
        default: return "it is not a regular file"
        }
    }

    /// The file as UTF-8 text, or nil when it cannot be read or is not UTF-8.
    public static func text(_ path: String) -> String? {
        read(path).flatMap { String(data: $0, encoding: .utf8) }
    }
}
