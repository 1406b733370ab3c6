import Foundation
import Storage

/// A safetensors file is malformed or lacks what was asked of it.
public struct SafeTensorsError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The element types this engine reads (floats are converted to Float32 on request).
public enum TensorDType: String, Sendable {
    case f32 = "F32", f64 = "F64", i32 = "I32", i64 = "I64"

    public var size: Int { self == .f32 || self == .i32 ? 4 : 8 }
}

/// A safetensors file (huggingface/safetensors): an 8-byte little-endian header length,
/// a JSON header mapping each tensor name to its dtype, shape and byte range, an
/// optional `__metadata__` object of strings, then the raw little-endian data.
///
/// Reading validates the whole header before anything is used, so a truncated or
/// malformed file is refused with a message rather than misread.
public struct SafeTensorsFile {
    public struct TensorInfo: Equatable {
        public let name: String
        /// The dtype as written in the file (it may be one this engine cannot read).
        public let dtypeName: String
        public let shape: [Int]
        let byteRange: Range<Int>

        public var dtype: TensorDType? { TensorDType(rawValue: dtypeName) }
        public var count: Int { shape.reduce(1, *) }
    }

    public let metadata: [String: String]
    /// Tensors in the order of their data in the file.
    public let tensors: [TensorInfo]
    private let index: [String: Int]
    private let data: Data

    public init(contentsOf path: String) throws {
        if let problem = FileBytes.problem(reading: path) { throw SafeTensorsError("cannot read \(path): \(problem)") }
        guard let data = FileBytes.read(path) else { throw SafeTensorsError("cannot read \(path)") }
        try self.init(data: data, name: path)
    }

    public init(data: Data, name: String = "safetensors data") throws {
        func bad(_ why: String) -> SafeTensorsError { SafeTensorsError("\(name) is not a valid safetensors file: \(why)") }
        guard data.count >= 8 else { throw bad("it is \(data.count) bytes long, shorter than the 8-byte header length") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(data.count - 8) else {
            throw bad("the header claims \(headerLength) bytes but the file has \(data.count - 8) after the length (truncated?)")
        }
        let headerEnd = 8 + Int(headerLength)
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<headerEnd)) } catch {
            throw bad("the header is not valid JSON")
        }
        guard let header = json as? [String: Any] else { throw bad("the header is not a JSON object") }

        var metadata: [String: String] = [:]
        var tensors: [TensorInfo] = []
        let dataBytes = data.count - headerEnd
        for (key, value) in header {
            if key == "__metadata__" {
                guard let object = value as? [String: Any] else { throw bad("__metadata__ is not an object") }
                for (k, v) in object {
                    guard let s = v as? String else { throw bad("metadata value \(k) is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let entry = value as? [String: Any],
                  let dtype = entry["dtype"] as? String,
                  let shapeValues = entry["shape"] as? [Any],
                  let offsets = entry["data_offsets"] as? [Any], offsets.count == 2 else {
                throw bad("tensor \(key) lacks dtype, shape or data_offsets")
            }
            let shape = try shapeValues.map { v -> Int in
                guard let n = (v as? NSNumber)?.intValue, n >= 0, n < 1 << 40 else { throw bad("tensor \(key) has an invalid shape") }
                return n
            }
            let bounds = try offsets.map { v -> Int in
                guard let n = (v as? NSNumber)?.intValue, n >= 0 else { throw bad("tensor \(key) has invalid data_offsets") }
                return n
            }
            guard bounds[0] <= bounds[1], bounds[1] <= dataBytes else {
                throw bad("tensor \(key) ends at byte \(bounds[1]) of a \(dataBytes)-byte data section (truncated?)")
            }
            var count = 1
            for n in shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: n)
                guard !overflow, product <= dataBytes else { throw bad("tensor \(key) has shape \(shape), larger than the file") }
                count = product
            }
            if let type = TensorDType(rawValue: dtype), count * type.size != bounds[1] - bounds[0] {
                throw bad("tensor \(key) has \(bounds[1] - bounds[0]) bytes for shape \(shape) of \(dtype)")
            }
            tensors.append(TensorInfo(name: key, dtypeName: dtype, shape: shape,
                                      byteRange: (headerEnd + bounds[0])..<(headerEnd + bounds[1])))
        }
        tensors.sort { $0.byteRange.lowerBound < $1.byteRange.lowerBound }
        self.metadata = metadata
        self.tensors = tensors
        self.data = data
        index = Dictionary(tensors.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    public func info(_ name: String) -> TensorInfo? { index[name].map { tensors[$0] } }

    /// The tensor's values as Float32 (F32 as stored; F64, I32 and I64 converted).
    public func floats(_ name: String) throws -> [Float] {
        let t = try require(name)
        return data.withUnsafeBytes { raw in
            let base = raw.baseAddress! + t.byteRange.lowerBound
            switch t.dtype! {
            case .f32: return (0..<t.count).map { Float(bitPattern: base.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self).littleEndian) }
            case .f64: return (0..<t.count).map { Float(Double(bitPattern: base.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self).littleEndian)) }
            case .i32: return (0..<t.count).map { Float(Int32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self))) }
            case .i64: return (0..<t.count).map { Float(Int64(littleEndian: base.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self))) }
            }
        }
    }

    /// Copies an F32 tensor straight into `destination` (which holds `info.count` floats).
    public func copyFloat32(_ name: String, into destination: UnsafeMutablePointer<Float>) throws {
        let t = try require(name)
        guard t.dtype == .f32 else { throw SafeTensorsError("tensor \(name) has dtype \(t.dtypeName), expected F32") }
        data.withUnsafeBytes { raw in
            UnsafeMutableRawPointer(destination).copyMemory(from: raw.baseAddress! + t.byteRange.lowerBound,
                                                            byteCount: t.byteRange.count)
        }
    }

    private func require(_ name: String) throws -> TensorInfo {
        guard let t = info(name) else { throw SafeTensorsError("no tensor named \(name)") }
        guard t.dtype != nil else { throw SafeTensorsError("tensor \(name) has dtype \(t.dtypeName), which this engine does not read (F32, F64, I32, I64)") }
        return t
    }
}

/// Builds a safetensors file in memory: tensors in the order they are added.
public struct SafeTensorsWriter {
    private var entries: [(name: String, dtype: TensorDType, shape: [Int], bytes: Data)] = []
    public var metadata: [String: String] = [:]

    public init(metadata: [String: String] = [:]) { self.metadata = metadata }

    public mutating func add(_ name: String, shape: [Int], floats pointer: UnsafePointer<Float>) {
        let count = shape.reduce(1, *)
        entries.append((name, .f32, shape, Data(bytes: pointer, count: 4 * count)))
    }

    /// Adds a tensor of any supported dtype from its raw little-endian bytes.
    public mutating func add(_ name: String, dtype: TensorDType, shape: [Int], bytes: Data) {
        precondition(bytes.count == shape.reduce(1, *) * dtype.size, "\(name): \(bytes.count) bytes for \(shape) \(dtype)")
        entries.append((name, dtype, shape, bytes))
    }

    public mutating func add(_ name: String, shape: [Int], floats: [Float]) {
        floats.withUnsafeBufferPointer { add(name, shape: shape, floats: $0.baseAddress!) }
    }

    /// The complete file. (This engine only runs on little-endian machines.)
    public func data() throws -> Data {
        var offset = 0
        let tensors = entries.map { e -> (String, Header.Tensor) in
            defer { offset += e.bytes.count }
            return (e.name, Header.Tensor(dtype: e.dtype.rawValue, shape: e.shape, dataOffsets: [offset, offset + e.bytes.count]))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var header = try encoder.encode(Header(metadata: metadata, tensors: tensors))
        // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
        header.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8))
        var out = Data()
        var length = UInt64(header.count).littleEndian
        withUnsafeBytes(of: &length) { out.append(contentsOf: $0) }
        out.append(header)
        for e in entries { out.append(e.bytes) }
        return out
    }

    /// Writes the file atomically.
    public func write(to path: String) throws { try AtomicFile.write(try data(), to: path) }

    /// The JSON header: `__metadata__` (when there is any), then one object per tensor.
    private struct Header: Encodable {
        struct Tensor: Encodable {
            let dtype: String
            let shape: [Int]
            let dataOffsets: [Int]
            enum CodingKeys: String, CodingKey { case dtype, shape, dataOffsets = "data_offsets" }
        }
        let metadata: [String: String]
        let tensors: [(String, Tensor)]

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: JSONKey.self)
            if !metadata.isEmpty { try c.encode(metadata, forKey: JSONKey("__metadata__")) }
            for (name, tensor) in tensors { try c.encode(tensor, forKey: JSONKey(name)) }
        }
    }
}
