import Foundation

/// Creating folders with the system's reason when it cannot be done ("in/afile: Not a
/// directory"); Foundation's `createDirectory` reports only "NSCocoaErrorDomain error 512".
public enum Folder {
    /// Creates `path` and any missing parents (`mkdir -p`).
    public static func create(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if mkdir(prefix, 0o755) != 0 {
                let reason = errno
                var isFolder: ObjCBool = false
                guard reason == EEXIST, FileManager.default.fileExists(atPath: prefix, isDirectory: &isFolder) else {
                    throw FileWriteError(description: "cannot create \(prefix): \(String(cString: strerror(reason)))")
                }
                guard isFolder.boolValue else { throw FileWriteError(description: "cannot create \(path): \(prefix) is a file") }
            }
            prefix += "/"
        }
    }

    /// Whether `create` could make `path`, leaving nothing behind: the first missing folder
    /// on the way is made and removed again (a permission check alone passes for root, and
    /// misses file systems such as /proc that refuse new folders). Throws `create`'s error.
    public static func checkCreatable(_ path: String) throws {
        var missing = (path as NSString).standardizingPath
        while true {
            let parent = (missing as NSString).deletingLastPathComponent
            if parent.isEmpty || parent == missing || FileManager.default.fileExists(atPath: parent) { break }
            missing = parent
        }
        guard !FileManager.default.fileExists(atPath: missing) else { return }
        let parent = (missing as NSString).deletingLastPathComponent
        var isFolder: ObjCBool = false
        if !parent.isEmpty, FileManager.default.fileExists(atPath: parent, isDirectory: &isFolder), !isFolder.boolValue {
            throw FileWriteError(description: "cannot create \(path): \(parent) is a file")
        }
        guard mkdir(missing, 0o755) == 0 else {
            throw FileWriteError(description: "cannot create \(missing): \(String(cString: strerror(errno)))")
        }
        rmdir(missing)
    }
}
