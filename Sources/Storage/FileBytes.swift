import Foundation

/// A whole file's bytes. `FileManager.contents(atPath:)` leaks its read buffer for an
/// empty file (swift-corelibs Foundation on Linux, found by fuzzing), so an empty file is
/// answered here without reading it.
public enum FileBytes {
    /// The file's bytes, or nil when it cannot be read (missing, a folder, no permission).
    public static func read(_ path: String) -> Data? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              attributes[.type] as? FileAttributeType != .typeDirectory else { return nil }
        if (attributes[.size] as? NSNumber)?.intValue == 0 { return FileManager.default.isReadableFile(atPath: path) ? Data() : nil }
        return FileManager.default.contents(atPath: path)
    }

    /// The file as UTF-8 text, or nil when it cannot be read or is not UTF-8.
    public static func text(_ path: String) -> String? {
        read(path).flatMap { String(data: $0, encoding: .utf8) }
    }
}
