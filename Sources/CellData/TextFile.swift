import CZlib
import Foundation
import Storage

/// The lines of a text file, gzip-compressed or not (zlib reads both).
enum TextFile {
    static func lines(_ path: String) throws -> [Substring] {
        if let problem = FileBytes.problem(reading: path) { throw TextFormatError("cannot read \(path): \(problem)") }
        guard let file = gzopen(path, "rb") else { throw TextFormatError("cannot read \(path)") }
        defer { gzclose(file) }
        var bytes = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = gzread(file, &chunk, UInt32(chunk.count))
            if n < 0 { throw TextFormatError("cannot read \(path): it is corrupt or truncated") }
            if n == 0 {
                // zlib ends a gzip stream cut short like a whole one, and says so only here.
                var status: Int32 = Z_OK
                _ = gzerror(file, &status)
                guard status == Z_OK else { throw TextFormatError("cannot read \(path): the compressed stream is truncated or corrupt") }
                break
            }
            bytes.append(contentsOf: chunk[0..<Int(n)])
        }
        guard let text = String(bytes: bytes, encoding: .utf8) else { throw TextFormatError("\(path) is not UTF-8 text") }
        return text.split(whereSeparator: \.isNewline)
    }
}

/// A text matrix (CSV, TSV, Matrix Market) is malformed; the message names file and line.
public struct TextFormatError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
