import CHDF5
import Foundation
import Storage

/// An HDF5 file could not be read as asked; the message names the file and the object.
public struct HDF5Error: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A read-only HDF5 file, through libhdf5's C API. The library's own error printing is
/// silenced; every failure becomes an `HDF5Error` naming the object.
final class HDF5File {
    let path: String
    private let id: hid_t

    init(path: String) throws {
        self.path = path
        wbdit_h5_start()
        if let problem = FileBytes.problem(reading: path) { throw HDF5Error("cannot read \(path): \(problem)") }
        guard H5Fis_hdf5(path) > 0 else { throw HDF5Error("\(path) is not an HDF5 file (an .h5ad is one)") }
        id = HDF5ReadGuard.guarded(reading: "the file's header", in: path) { H5Fopen(path, wbdit_h5_read_only(), wbdit_h5_default()) }
        guard id >= 0 else { throw HDF5Error("cannot open \(path) as HDF5") }
    }

    deinit {
        wbdit_h5_silence()   // on whichever thread releases the file last
        H5Fclose(id)
    }

    // MARK: - Structure

    /// Whether an object exists at `name` (every component of the path is checked).
    func exists(_ name: String) -> Bool {
        var prefix = ""
        for component in name.split(separator: "/") {
            prefix += (prefix.isEmpty ? "" : "/") + component
            let found = HDF5ReadGuard.guarded(reading: prefix, in: path) { H5Lexists(id, prefix, wbdit_h5_default()) }
            guard found > 0 else { return false }
        }
        return true
    }

    func isGroup(_ name: String) -> Bool { objectType(name) == H5O_TYPE_GROUP }
    func isDataset(_ name: String) -> Bool { objectType(name) == H5O_TYPE_DATASET }

    /// The kind of object at `name`, read from its header without opening it (opening a
    /// damaged dataset makes libhdf5 leak the messages it had read when it gives up).
    private func objectType(_ name: String) -> H5O_type_t? {
        guard exists(name) else { return nil }
        var info = H5O_info_t()
        let status = HDF5ReadGuard.guarded(reading: name, in: path) {
            H5Oget_info_by_name2(id, name, &info, UInt32(H5O_INFO_BASIC), wbdit_h5_default())
        }
        guard status >= 0 else { return nil }
        return info.type
    }

    /// The names of a group's members.
    func members(_ group: String) throws -> [String] {
        try HDF5ReadGuard.guarded(reading: "the group \(group)", in: path) {
            let g = H5Gopen2(id, group, wbdit_h5_default())
            guard g >= 0 else { throw HDF5Error("\(path): \(group) is not a group") }
            defer { H5Gclose(g) }
            var info = H5G_info_t()
            H5Gget_info(g, &info)
            return (0..<info.nlinks).compactMap { i -> String? in
                let length = H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, wbdit_h5_default())
                guard length > 0 else { return nil }
                var buffer = [CChar](repeating: 0, count: Int(length) + 1)
                H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, &buffer, Int(length) + 1, wbdit_h5_default())
                return String(cString: buffer)
            }
        }
    }

    // MARK: - Datasets

    /// The dimensions of a dataset.
    func shape(_ name: String) throws -> [Int] {
        try withDataset(name) { dataset in
            let space = H5Dget_space(dataset)
            defer { H5Sclose(space) }
            let rank = Int(H5Sget_simple_extent_ndims(space))
            guard rank >= 0 else { throw HDF5Error("\(path): cannot read the shape of \(name)") }
            var dims = [hsize_t](repeating: 0, count: rank)
            H5Sget_simple_extent_dims(space, &dims, nil)
            return dims.map { Int($0) }
        }
    }

    /// A numeric dataset's values converted to Float32 (HDF5 converts integers and doubles).
    func floats(_ name: String) throws -> [Float] {
        try read(name, memoryType: wbdit_h5_native_float(), zero: Float(0)) { Float($0) }
    }

    /// A numeric dataset's values converted to Double.
    func doubles(_ name: String) throws -> [Double] {
        try read(name, memoryType: wbdit_h5_native_double(), zero: 0.0) { Double($0) }
    }

    /// A numeric dataset's values converted to Int64.
    func integers(_ name: String) throws -> [Int64] {
        try read(name, memoryType: wbdit_h5_native_int64(), zero: Int64(0)) { $0 }
    }

    /// Whether a dataset holds integers (booleans included).
    func holdsIntegers(_ name: String) throws -> Bool {
        try withDataset(name) { dataset in
            let type = H5Dget_type(dataset)
            defer { H5Tclose(type) }
            return H5Tget_class(type) == H5T_INTEGER || H5Tget_class(type) == H5T_ENUM
        }
    }

    /// The integer codes of an enum dataset (its values as stored).
    private func enumCodes(_ dataset: hid_t, type: hid_t, count: Int, name: String) throws -> [Int64] {
        let native = H5Tget_native_type(type, H5T_DIR_ASCEND)
        defer { H5Tclose(native) }
        let size = H5Tget_size(native)
        guard [1, 2, 4, 8].contains(size) else { throw HDF5Error("\(path): \(name) is an enum of \(size)-byte values") }
        var bytes = [UInt8](repeating: 0, count: count * size)
        guard bytes.withUnsafeMutableBytes({ H5Dread(dataset, native, wbdit_h5_all(), wbdit_h5_all(), wbdit_h5_default(), $0.baseAddress) }) >= 0 else {
            throw HDF5Error("\(path): cannot read \(name)")
        }
        return bytes.withUnsafeBytes { raw in
            (0..<count).map { i -> Int64 in
                switch size {
                case 1: return Int64(raw.load(fromByteOffset: i, as: Int8.self))
                case 2: return Int64(raw.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self))
                case 4: return Int64(raw.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))
                default: return raw.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)
                }
            }
        }
    }

    /// A numeric dataset read as `memoryType`; enum codes (booleans) go through `convert`.
    private func read<T>(_ name: String, memoryType: hid_t, zero: T, convert: (Int64) -> T) throws -> [T] {
        let count = try shape(name).reduce(1, *)
        return try withDataset(name) { dataset in
            let type = H5Dget_type(dataset)
            defer { H5Tclose(type) }
            let kind = H5Tget_class(type)
            if kind == H5T_ENUM {   // booleans (h5py writes them as an int8 enum)
                return try enumCodes(dataset, type: type, count: count, name: name).map { convert($0) }
            }
            guard kind == H5T_INTEGER || kind == H5T_FLOAT else {
                throw HDF5Error("\(path): \(name) is not numeric")
            }
            var values = [T](repeating: zero, count: count)
            let status = values.withUnsafeMutableBytes {
                H5Dread(dataset, memoryType, wbdit_h5_all(), wbdit_h5_all(), wbdit_h5_default(), $0.baseAddress)
            }
            guard status >= 0 else { throw HDF5Error("\(path): cannot read \(name)") }
            return values
        }
    }

    // MARK: - Hyperslabs (part of a dataset)

    /// Elements `range` of a one-dimensional numeric dataset as Float32, into `destination`.
    func readFloats(_ name: String, elements range: Range<Int>, into destination: UnsafeMutablePointer<Float>) throws {
        try readSlab(name, start: [range.lowerBound], count: [range.count], memoryType: wbdit_h5_native_float(), into: destination)
    }

    /// Elements `range` of a one-dimensional numeric dataset as Int64, into `destination`.
    func readIntegers(_ name: String, elements range: Range<Int>, into destination: UnsafeMutablePointer<Int64>) throws {
        try readSlab(name, start: [range.lowerBound], count: [range.count], memoryType: wbdit_h5_native_int64(), into: destination)
    }

    /// Rows `range` (every column) of a two-dimensional numeric dataset as Float32, row-major.
    func readRows(_ name: String, rows range: Range<Int>, columns: Int, into destination: UnsafeMutablePointer<Float>) throws {
        try readSlab(name, start: [range.lowerBound, 0], count: [range.count, columns], memoryType: wbdit_h5_native_float(),
                     into: destination)
    }

    /// The block `start ..< start + count` of a numeric dataset, read through a hyperslab
    /// selection so that only the chunks it touches are read from disk.
    private func readSlab(_ name: String, start: [Int], count: [Int], memoryType: hid_t, into destination: UnsafeMutableRawPointer) throws {
        let shape = try self.shape(name)
        guard shape.count == start.count, zip(zip(start, count), shape).allSatisfy({ $0.0 >= 0 && $0.1 >= 0 && $0.0 + $0.1 <= $1 }) else {
            throw HDF5Error("\(path): \(name) has shape \(shape); cannot read \(count) elements from \(start)")
        }
        guard count.allSatisfy({ $0 > 0 }) else { return }
        try withDataset(name) { dataset in
            let type = H5Dget_type(dataset)
            defer { H5Tclose(type) }
            guard H5Tget_class(type) == H5T_INTEGER || H5Tget_class(type) == H5T_FLOAT else {
                throw HDF5Error("\(path): \(name) is not numeric")
            }
            let fileSpace = H5Dget_space(dataset)
            defer { H5Sclose(fileSpace) }
            var offsets = start.map { hsize_t($0) }, sizes = count.map { hsize_t($0) }
            guard H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, &offsets, nil, &sizes, nil) >= 0 else {
                throw HDF5Error("\(path): cannot select part of \(name)")
            }
            let memorySpace = H5Screate_simple(Int32(sizes.count), &sizes, nil)
            defer { H5Sclose(memorySpace) }
            guard H5Dread(dataset, memoryType, memorySpace, fileSpace, wbdit_h5_default(), destination) >= 0 else {
                throw HDF5Error("\(path): cannot read part of \(name)")
            }
        }
    }

    /// A dataset of strings, variable- or fixed-length.
    func strings(_ name: String) throws -> [String] {
        let count = try shape(name).reduce(1, *)
        return try withDataset(name) { dataset in
            let fileType = H5Dget_type(dataset)
            defer { H5Tclose(fileType) }
            guard H5Tget_class(fileType) == H5T_STRING else { throw HDF5Error("\(path): \(name) does not hold strings") }
            return try readStrings(count: count, fileType: fileType, what: name) { memoryType, buffer in
                H5Dread(dataset, memoryType, wbdit_h5_all(), wbdit_h5_all(), wbdit_h5_default(), buffer)
            }
        }
    }

    // MARK: - Attributes

    /// A string attribute of an object, or nil when it has none.
    func stringAttribute(_ object: String, _ name: String) throws -> String? {
        try HDF5ReadGuard.guarded(reading: "the attribute \(object)@\(name)", in: path) {
            guard exists(object) || object == "/", H5Aexists_by_name(id, object, name, wbdit_h5_default()) > 0 else { return nil }
            let attribute = H5Aopen_by_name(id, object, name, wbdit_h5_default(), wbdit_h5_default())
            guard attribute >= 0 else { return nil }
            defer { H5Aclose(attribute) }
            let fileType = H5Aget_type(attribute)
            defer { H5Tclose(fileType) }
            guard H5Tget_class(fileType) == H5T_STRING else { return nil }
            let space = H5Aget_space(attribute)
            defer { H5Sclose(space) }
            let count = max(1, Int(H5Sget_simple_extent_npoints(space)))
            return try readStrings(count: count, fileType: fileType, what: "\(object)@\(name)") { memoryType, buffer in
                H5Aread(attribute, memoryType, buffer)
            }.first
        }
    }

    /// An integer array attribute (such as a sparse matrix's `shape`), or nil.
    func integerAttribute(_ object: String, _ name: String) -> [Int64]? {
        HDF5ReadGuard.guarded(reading: "the attribute \(object)@\(name)", in: path) {
            guard H5Aexists_by_name(id, object, name, wbdit_h5_default()) > 0 else { return nil }
            let attribute = H5Aopen_by_name(id, object, name, wbdit_h5_default(), wbdit_h5_default())
            guard attribute >= 0 else { return nil }
            defer { H5Aclose(attribute) }
            let space = H5Aget_space(attribute)
            defer { H5Sclose(space) }
            var values = [Int64](repeating: 0, count: max(1, Int(H5Sget_simple_extent_npoints(space))))
            guard H5Aread(attribute, wbdit_h5_native_int64(), &values) >= 0 else { return nil }
            return values
        }
    }

    // MARK: - Helpers (for this file and its extensions)

    /// Runs `body` on the dataset `name`, open for the call only.
    func withDataset<T>(_ name: String, _ body: (hid_t) throws -> T) throws -> T {
        try HDF5ReadGuard.guarded(reading: name, in: path) {
            guard isDataset(name) else { throw HDF5Error("\(path) has no dataset \(name)") }
            let dataset = H5Dopen2(id, name, wbdit_h5_default())
            guard dataset >= 0 else { throw HDF5Error("\(path): cannot open \(name)") }
            defer { H5Dclose(dataset) }
            if let filter = Self.undecodableFilter(dataset) {
                throw HDF5Error("\(path): \(name) is compressed with \(filter), which this libhdf5 cannot decode (write the file with compression=\"gzip\", or none)")
            }
            return try body(dataset)
        }
    }

    /// The first compression filter of a dataset that this libhdf5 has no decoder for
    /// (h5py's LZF, Blosc, …, registered only by their Python packages), by name.
    private static func undecodableFilter(_ dataset: hid_t) -> String? {
        let plist = H5Dget_create_plist(dataset)
        guard plist >= 0 else { return nil }
        defer { H5Pclose(plist) }
        let known: [H5Z_filter_t: String] = [32000: "LZF", 32001: "Blosc", 32004: "LZ4", 32008: "bitshuffle", 32015: "Zstandard"]
        for index in 0..<max(0, H5Pget_nfilters(plist)) {
            var flags: UInt32 = 0, count = 0
            var name = [CChar](repeating: 0, count: 64)
            let filter = H5Pget_filter2(plist, UInt32(index), &flags, &count, nil, name.count, &name, nil)
            guard filter >= 0, H5Zfilter_avail(filter) <= 0 else { continue }
            let named = String(cString: name)
            return known[filter] ?? (named.isEmpty ? "filter \(filter)" : "\(named) (filter \(filter))")
        }
        return nil
    }

    /// Reads `count` strings of `fileType` (variable- or fixed-length, ASCII or UTF-8).
    func readStrings(count: Int, fileType: hid_t, what: String,
                     read: (hid_t, UnsafeMutableRawPointer) -> herr_t) throws -> [String] {
        let memoryType = H5Tcopy(wbdit_h5_c_string())
        defer { H5Tclose(memoryType) }
        H5Tset_cset(memoryType, H5Tget_cset(fileType))
        if H5Tis_variable_str(fileType) > 0 {
            H5Tset_size(memoryType, wbdit_h5_variable())
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            return try pointers.withUnsafeMutableBufferPointer { buffer in
                let raw = UnsafeMutableRawPointer(buffer.baseAddress!)
                let status = HDF5ReadGuard.guardedWithDeadline(reading: "the strings of \(what)", in: path) { read(memoryType, raw) }
                // Each string HDF5 allocated is freed with its own allocator, on failure too: a
                // read that fails part-way has allocated the strings before the one it failed
                // on (the rest stay nil).
                defer { for pointer in buffer where pointer != nil { H5free_memory(pointer) } }
                guard status >= 0 else { throw HDF5Error("\(path): cannot read the strings of \(what)") }
                return buffer.map { $0.map { String(cString: $0) } ?? "" }
            }
        }
        let size = H5Tget_size(fileType)
        H5Tset_size(memoryType, size)
        var bytes = [CChar](repeating: 0, count: count * size + 1)
        guard bytes.withUnsafeMutableBytes({ read(memoryType, $0.baseAddress!) }) >= 0 else {
            throw HDF5Error("\(path): cannot read the strings of \(what)")
        }
        return (0..<count).map { i in
            let slice = bytes[(i * size)..<((i + 1) * size)].prefix { $0 != 0 }
            return String(decoding: slice.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }
}
