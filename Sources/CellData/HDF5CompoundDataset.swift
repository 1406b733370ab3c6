import CHDF5
import Foundation

/// Compound datasets: how anndata before 0.7 stored obs and var, one record per cell or
/// gene with a field per column (categorical columns as integer codes, their categories
/// in `uns`).
extension HDF5File {
    /// The member names of a compound dataset, or nil when it is not one.
    func compoundMembers(_ name: String) throws -> [String]? {
        try withDataset(name) { dataset in
            let type = H5Dget_type(dataset)
            defer { H5Tclose(type) }
            guard H5Tget_class(type) == H5T_COMPOUND else { return nil }
            return (0..<max(0, H5Tget_nmembers(type))).compactMap { i -> String? in
                guard let raw = H5Tget_member_name(type, UInt32(i)) else { return nil }
                defer { H5free_memory(raw) }
                return String(cString: raw)
            }
        }
    }

    /// One member of a compound dataset as text: strings as they are, numbers formatted.
    func compoundField(_ name: String, _ member: String) throws -> [String] {
        let count = try shape(name).reduce(1, *)
        return try withDataset(name) { dataset in
            let fileType = H5Dget_type(dataset)
            defer { H5Tclose(fileType) }
            let index = H5Tget_member_index(fileType, member)
            guard index >= 0 else { throw HDF5Error("\(path): \(name) has no field \(member)") }
            let memberType = H5Tget_member_type(fileType, UInt32(index))
            defer { H5Tclose(memberType) }
            if H5Tget_class(memberType) == H5T_STRING {
                return try readStrings(count: count, fileType: memberType, what: "\(name).\(member)") { memoryType, buffer in
                    let compound = H5Tcreate(H5T_COMPOUND, H5Tget_size(memoryType))
                    defer { H5Tclose(compound) }
                    H5Tinsert(compound, member, 0, memoryType)
                    return H5Dread(dataset, compound, wbdit_h5_all(), wbdit_h5_all(), wbdit_h5_default(), buffer)
                }
            }
            let integral = H5Tget_class(memberType) == H5T_INTEGER
            let compound = H5Tcreate(H5T_COMPOUND, 8)
            defer { H5Tclose(compound) }
            H5Tinsert(compound, member, 0, integral ? wbdit_h5_native_int64() : wbdit_h5_native_double())
            var raw = [UInt64](repeating: 0, count: count)
            guard raw.withUnsafeMutableBytes({ H5Dread(dataset, compound, wbdit_h5_all(), wbdit_h5_all(), wbdit_h5_default(), $0.baseAddress) }) >= 0 else {
                throw HDF5Error("\(path): cannot read \(name).\(member)")
            }
            return raw.map { bits in
                if integral { return String(Int64(bitPattern: bits)) }
                let v = Double(bitPattern: bits)
                return v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
            }
        }
    }
}
