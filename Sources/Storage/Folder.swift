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
}
