import Foundation
import Storage

/// A `.npy` file could not be read or does not hold what was expected.
public struct NumpyError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// An array read from or written to NumPy's `.npy` format (versions 1–3): the magic
/// string, a header dict with `descr`, `fortran_order` and `shape`, then raw data.
///
/// Reads float32, float64, int32 and int64, little- or big-endian, in C or Fortran order
/// (NumPy writes the latter for transposed arrays), and holds the values as Float32 in
/// C order (the engine's only precision); writes float32.
public struct NumpyArray: Equatable {
    public var shape: [Int]
    public var values: [Float]
    /// The element type as stored in the file, little-endian (`<f4`, `<f8`, `<i4`, `<i8`).
    public var storedType: String

    public init(shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "NumpyArray: \(values.count) values for shape \(shape)")
        self.shape = shape
        self.values = values
        storedType = "<f4"
    }

    /// Whether the file stored integers.
    public var isIntegral: Bool { storedType.hasPrefix("<i") }

    // MARK: - Reading

    public init(contentsOf path: String) throws {
        if let problem = FileBytes.problem(reading: path) { throw NumpyError("cannot read \(path): \(problem)") }
        guard let data = FileBytes.read(path) else { throw NumpyError("cannot read \(path)") }
        try self.init(data: data, name: path)
    }

    public init(data: Data, name: String) throws {
        func bad(_ why: String) -> NumpyError { NumpyError("\(name) is not a readable .npy file: \(why)") }
        let bytes = [UInt8](data)
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1...5]) == Array("NUMPY".utf8) else {
            throw bad("it does not start with the .npy magic string")
        }
        let major = bytes[6]
        let (lengthBytes, headerStart): (Int, Int) = major == 1 ? (2, 10) : (4, 12)
        guard (1...3).contains(major), bytes.count >= headerStart else { throw bad("unsupported format version \(major)") }
        let headerLength = (0..<lengthBytes).reduce(0) { $0 | Int(bytes[6 + 2 + $1]) << (8 * $1) }
        guard headerStart + headerLength <= bytes.count,
              let header = String(bytes: bytes[headerStart..<(headerStart + headerLength)], encoding: .utf8) else {
            throw bad("the header is truncated")
        }
        guard let descr = Self.field("descr", in: header)?.trimmingCharacters(in: CharacterSet(charactersIn: "'\"")),
              let order = Self.field("fortran_order", in: header),
              let shapeText = Self.field("shape", in: header) else {
            throw bad("the header lacks descr, fortran_order or shape")
        }
        guard order == "False" || order == "True" else { throw bad("fortran_order is \(order), not True or False") }
        // '|' (not applicable) and '=' (native, little-endian here) read as '<'.
        let bigEndian = descr.hasPrefix(">")
        let type = "<" + descr.drop { "<>=|".contains($0) }
        let elementSize: Int
        switch type {
        case "<f4", "<i4": elementSize = 4
        case "<f8", "<i8": elementSize = 8
        default: throw bad("element type \(descr) is not one of float32, float64, int32, int64")
        }
        let dims = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() "))
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var shape: [Int] = []
        var count = 1
        for d in dims {
            guard let n = Int(d), n >= 0 else { throw bad("shape \(shapeText) is not a tuple of sizes") }
            let (product, overflow) = count.multipliedReportingOverflow(by: n)
            guard !overflow, product <= bytes.count else { throw bad("shape \(shapeText) is larger than the file") }
            shape.append(n)
            count = product
        }
        let dataStart = headerStart + headerLength
        guard bytes.count - dataStart >= count * elementSize else {
            throw bad("it holds \(bytes.count - dataStart) data bytes, but shape \(shapeText) of \(descr) needs \(count * elementSize) (truncated?)")
        }
        let stored: [Float] = data.withUnsafeBytes { raw in
            let base = raw.baseAddress! + dataStart
            func word32(_ i: Int) -> UInt32 {
                let w = base.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)
                return bigEndian ? UInt32(bigEndian: w) : UInt32(littleEndian: w)
            }
            func word64(_ i: Int) -> UInt64 {
                let w = base.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)
                return bigEndian ? UInt64(bigEndian: w) : UInt64(littleEndian: w)
            }
            switch type {
            case "<f4": return (0..<count).map { Float(bitPattern: word32($0)) }
            case "<f8": return (0..<count).map { Float(Double(bitPattern: word64($0))) }
            case "<i4": return (0..<count).map { Float(Int32(bitPattern: word32($0))) }
            default: return (0..<count).map { Float(Int64(bitPattern: word64($0))) }
            }
        }
        self.shape = shape
        values = order == "True" ? Self.cOrder(fortran: stored, shape: shape) : stored
        storedType = type
    }

    /// Values stored in Fortran order (first index fastest) rearranged into C order.
    static func cOrder(fortran values: [Float], shape: [Int]) -> [Float] {
        guard shape.count > 1 else { return values }
        var out = [Float](repeating: 0, count: values.count)
        var index = [Int](repeating: 0, count: shape.count)   // the C-order position, counted up
        var cStrides = [Int](repeating: 1, count: shape.count), fStrides = cStrides
        for k in stride(from: shape.count - 2, through: 0, by: -1) { cStrides[k] = cStrides[k + 1] * shape[k + 1] }
        for k in 1..<shape.count { fStrides[k] = fStrides[k - 1] * shape[k - 1] }
        for position in 0..<values.count {
            var f = 0
            for k in 0..<shape.count { f += index[k] * fStrides[k] }
            out[position] = values[f]
            var k = shape.count - 1
            while k >= 0 { index[k] += 1; if index[k] < shape[k] { break }; index[k] = 0; k -= 1 }
        }
        return out
    }

    /// The raw text of `key`'s value in a Python dict literal such as
    /// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
    private static func field(_ key: String, in header: String) -> String? {
        guard let keyRange = header.range(of: "'\(key)'") ?? header.range(of: "\"\(key)\""),
              let colon = header[keyRange.upperBound...].firstIndex(of: ":") else { return nil }
        var rest = header[header.index(after: colon)...].drop(while: { $0 == " " })
        if rest.first == "(" {
            guard let close = rest.firstIndex(of: ")") else { return nil }
            return String(rest[...close])
        }
        if let end = rest.firstIndex(where: { $0 == "," || $0 == "}" }) { rest = rest[..<end] }
        return rest.trimmingCharacters(in: .whitespaces)
    }

    // MARK: - Writing

    /// The file's bytes: format 1.0, float32, C order, header padded to 64 bytes.
    public func data() -> Data {
        var out = Self.header(shape: shape)
        values.withUnsafeBytes { out.append(contentsOf: $0) }
        return out
    }

    /// The bytes before the values of a float32 array of `shape`, C order.
    public static func header(shape: [Int]) -> Data {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var out = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        out.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        out.append(contentsOf: Array(header.utf8))
        return out
    }

    /// Writes the array atomically as float32.
    public func write(to path: String) throws { try AtomicFile.write(data(), to: path) }
}
