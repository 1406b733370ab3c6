import Foundation

/// An AnnData `.h5ad` file, read through libhdf5: the expression matrix (`X`, `raw/X` or
/// `layers/NAME`; dense, `csr_matrix` or `csc_matrix`; float or integer values; int32 or
/// int64 indices) and the `obs`/`var` dataframes (index, categorical, string, numeric and
/// boolean columns). Groups the reader does not use (obsm, uns, …) are ignored.
public final class AnnDataFile {
    public let path: String
    let file: HDF5File

    public init(path: String) throws {
        self.path = path
        file = try HDF5File(path: path)
        // anndata writes no X when it is None; the matrices are then in raw or layers.
        guard try !sources().isEmpty else {
            throw HDF5Error("\(path) has no X, raw/X or layers: it is not an AnnData file")
        }
    }

    // MARK: - The expression matrix

    /// How a matrix is stored.
    public enum Encoding: String, Sendable { case dense, csr = "csr_matrix", csc = "csc_matrix" }

    public func encoding(of source: String = "X") throws -> Encoding {
        guard file.exists(source) else { throw HDF5Error("\(path) has no \(source)") }
        if file.isDataset(source) { return .dense }
        let type = try file.stringAttribute(source, "encoding-type") ?? file.stringAttribute(source, "h5sparse_format").map { $0 + "_matrix" }
        guard let type, let encoding = Encoding(rawValue: type) else {
            throw HDF5Error("\(path): \(source) is a group of unknown encoding \(try file.stringAttribute(source, "encoding-type") ?? "(none)")")
        }
        return encoding
    }

    /// (cells, genes) of a matrix.
    public func shape(of source: String = "X") throws -> (cells: Int, genes: Int) {
        switch try encoding(of: source) {
        case .dense:
            let s = try file.shape(source)
            guard s.count == 2 else { throw HDF5Error("\(path): \(source) has \(s.count) dimensions, not 2") }
            return (s[0], s[1])
        case .csr, .csc:
            guard let s = file.integerAttribute(source, "shape") ?? file.integerAttribute(source, "h5sparse_shape"),
                  s.count == 2, s[0] >= 0, s[1] >= 0, s[0] < Int64(Int32.max), s[1] < Int64(Int32.max) else {
                throw HDF5Error("\(path): the sparse matrix \(source) has no valid shape attribute")
            }
            // The shape sizes everything read after it: it must agree with indptr, one entry a row (CSR) or column (CSC) and one more.
            let major = try encoding(of: source) == .csr ? s[0] : s[1]
            let pointers = try file.shape(source + "/indptr")
            guard pointers.count == 1, Int64(pointers[0]) == major + 1 else {
                throw HDF5Error("\(path): the sparse matrix \(source) has shape \(s[0]) × \(s[1]) but an indptr of \(pointers.map(String.init).joined(separator: " × ")) entries")
            }
            return (Int(s[0]), Int(s[1]))
        }
    }

    /// A matrix read whole into memory as a dense cells × genes Float32 matrix.
    public func matrix(_ source: String = "X") throws -> CellMatrix {
        let (cells, genes) = try shape(of: source)
        let (total, overflow) = cells.multipliedReportingOverflow(by: genes)
        guard !overflow, Double(total) * 4 <= CellMatrix.memoryLimit else {
            throw HDF5Error(String(format: "%@: %@ is %ld × %ld: %.1f GB as dense Float32, more than half this machine's memory (stream it with --streaming)", path, source, cells, genes, Double(total) * 4e-9))
        }
        let encoding = try encoding(of: source)
        if encoding == .dense {
            return CellMatrix(cells: cells, genes: genes, values: try file.floats(source))
        }
        let data = try file.floats(source + "/data")
        let indices = try file.integers(source + "/indices")
        let pointers = try file.integers(source + "/indptr")
        let (major, minor) = encoding == .csr ? (cells, genes) : (genes, cells)
        guard pointers.count == major + 1, indices.count == data.count,
              pointers.first == 0, pointers.last == Int64(data.count) else {
            throw HDF5Error("\(path): the sparse matrix \(source) is inconsistent (indptr has \(pointers.count) entries for \(major) rows, \(data.count) values, \(indices.count) indices)")
        }
        var values = [Float](repeating: 0, count: total)
        let csr = encoding == .csr
        try scatter(source, pointers: pointers, indices: indices, data: data, minor: minor, firstRow: 0) { row, column, value in
            values[csr ? row * genes + column : column * genes + row] += value   // a gene stored twice: the sum, as scipy reads it
        }
        return CellMatrix(cells: cells, genes: genes, values: values)
    }

    /// Whether a matrix is stored with integer values.
    public func storesIntegers(_ source: String = "X") throws -> Bool {
        try file.holdsIntegers(try encoding(of: source) == .dense ? source : source + "/data")
    }

    /// Where anndata before 0.7 kept the raw matrix and its genes: datasets or groups named
    /// `raw.X` and `raw.var` at the root.
    static let legacyRaw = "raw.X", legacyRawGenes = "raw.var"

    /// The matrix a `--source` value names (X, raw or raw/X — `raw.X` in anndata's legacy
    /// layout — layers/NAME), checked to exist and to have as many cells as obs has rows and,
    /// where the file names its genes, as many genes (anndata refuses such files too), and
    /// the other sources as the flags that would pick them (for messages).
    public func matrix(named source: String) throws -> (name: String, alternatives: [String]) {
        let available = try sources()
        let name = source == "raw" || source == "raw/X" ? (available.contains(Self.legacyRaw) ? Self.legacyRaw : "raw/X") : source
        guard available.contains(name) else {
            throw HDF5Error("\(path) has no \(name) (it has \(available.joined(separator: ", ")): pick one with --source)")
        }
        let (cells, genes) = try shape(of: name)
        let geneFrame = name == "raw/X" ? "raw/var" : name == Self.legacyRaw ? Self.legacyRawGenes : "var"
        for (frame, count, what) in [("obs", cells, "cells"), (geneFrame, genes, "genes")] {
            guard let rows = try rows(of: frame), rows != count else { continue }
            throw HDF5Error("\(path): \(frame) has \(rows) rows, but \(name) has \(count) \(what)")
        }
        return (name, available.filter { $0 != name }.map { $0 == "raw/X" || $0 == Self.legacyRaw ? "--source raw" : "--source \($0)" })
    }

    /// How many rows a dataframe's index has (nil when the file has no such dataframe).
    private func rows(of frame: String) throws -> Int? {
        guard file.exists(frame) else { return nil }
        if file.isDataset(frame) { return try file.shape(frame).first }   // anndata 0.6's compound table
        let index = frame + "/" + (try file.stringAttribute(frame, "_index") ?? "_index")
        return file.exists(index) ? try file.shape(index).first : nil
    }

    /// The gene names of a matrix (raw's from raw/var, or the legacy raw.var, when it has
    /// them), or nil when the file has none for its `genes` columns.
    public func geneNames(of matrix: String, genes: Int) -> [String]? {
        let names: [String]?
        switch matrix {
        case "raw/X": names = (try? self.names("raw/var")) ?? (try? self.names("var"))
        case Self.legacyRaw: names = (try? self.names(Self.legacyRawGenes)) ?? (try? self.names("var"))
        default: names = try? self.names("var")
        }
        return names?.count == genes ? names : nil
    }

    /// Matrices this file offers as sources: X, raw/X (or the legacy raw.X) and every layers/NAME.
    public func sources() throws -> [String] {
        var found = ["X", "raw/X", Self.legacyRaw].filter { file.exists($0) }
        if file.isGroup("layers") { found += try file.members("layers").map { "layers/" + $0 } }
        return found
    }

    // MARK: - Dataframes

    /// The obs (cells) or var (genes) index.
    public func names(_ frame: String) throws -> [String] {
        if let members = try legacyMembers(frame) {
            guard members.contains("index") else { throw HDF5Error("\(path): the legacy table \(frame) has no index field") }
            return try file.compoundField(frame, "index")
        }
        guard file.isGroup(frame) else { throw HDF5Error("\(path): \(frame) is missing") }
        let index = try file.stringAttribute(frame, "_index") ?? "_index"
        return try file.strings(frame + "/" + index)
    }

    /// The columns of obs or var, in the file's order.
    public func columns(_ frame: String) throws -> [String] {
        if let members = try legacyMembers(frame) { return members.filter { $0 != "index" } }
        guard file.isGroup(frame) else { return [] }
        let index = try file.stringAttribute(frame, "_index") ?? "_index"
        return try file.members(frame).filter { $0 != index && $0 != "__categories" }
    }

    /// How a dataframe column is stored.
    public enum ColumnKind: Sendable { case categorical, strings, numbers }

    public func kind(ofColumn name: String, in frame: String = "obs") throws -> ColumnKind {
        if try legacyMembers(frame) != nil {
            if file.exists("uns/\(name)_categories") { return .categorical }
            return try column(name, of: frame).allSatisfy({ Double($0) != nil }) ? .numbers : .strings
        }
        let object = frame + "/" + name
        guard file.exists(object) else { throw HDF5Error("\(path): \(frame) has no column \(name)") }
        if try isNullable(object) { return .numbers }
        if try file.isGroup(object) || legacyCategories(frame, name) != nil { return .categorical }
        return (try? file.strings(object)) != nil ? .strings : .numbers
    }

    /// A numeric column's values.
    public func numbers(_ name: String, of frame: String = "obs") throws -> [Double] {
        if try legacyMembers(frame) != nil { return try column(name, of: frame).map { Double($0) ?? .nan } }
        if let (values, missing) = try nullable(frame + "/" + name) {
            return zip(values, missing).map { $1 ? .nan : $0 }
        }
        return try file.doubles(frame + "/" + name)
    }

    /// Whether a column is stored in one of anndata's nullable encodings (others are refused by name).
    private func isNullable(_ object: String) throws -> Bool {
        guard file.isGroup(object), let type = try file.stringAttribute(object, "encoding-type"), type.hasPrefix("nullable-") else {
            return false
        }
        guard type == "nullable-integer" || type == "nullable-boolean" else {
            throw HDF5Error("\(path): \(object) is a column of an encoding this reader does not know (\(type))")
        }
        return true
    }

    /// A nullable integer or boolean column (pandas' `Int64` and `boolean`): its values, and
    /// where they are missing (anndata's `mask`); nil for any other column.
    private func nullable(_ object: String) throws -> (values: [Double], missing: [Bool])? {
        guard try isNullable(object) else { return nil }
        let values = try file.doubles(object + "/values"), missing = try file.integers(object + "/mask").map { $0 != 0 }
        guard values.count == missing.count else {
            throw HDF5Error("\(path): \(object) has \(values.count) values and \(missing.count) mask entries")
        }
        return (values, missing)
    }

    /// The fields of an anndata < 0.7 dataframe (a compound dataset), or nil for today's layout.
    private func legacyMembers(_ frame: String) throws -> [String]? {
        file.isDataset(frame) ? try file.compoundMembers(frame) : nil
    }

    /// A column as one string per row: categories by name, numbers and booleans as text,
    /// missing categorical and nullable values as "".
    public func column(_ name: String, of frame: String = "obs") throws -> [String] {
        if let members = try legacyMembers(frame) {
            guard members.contains(name) else {
                throw HDF5Error("\(path): \(frame) has no column \(name) (it has \(members.filter { $0 != "index" }.joined(separator: ", ")))")
            }
            let values = try file.compoundField(frame, name)
            // anndata 0.6 kept a categorical column's names in uns/NAME_categories.
            guard file.exists("uns/\(name)_categories") else { return values }
            let categories = try text("uns/\(name)_categories")
            return values.map { Int($0).flatMap { $0 >= 0 && $0 < categories.count ? categories[$0] : nil } ?? "" }
        }
        let object = frame + "/" + name
        guard file.exists(object) else {
            throw HDF5Error("\(path): \(frame) has no column \(name) (it has \(try columns(frame).joined(separator: ", ")))")
        }
        if let (values, missing) = try nullable(object) {
            return zip(values, missing).map { value, isMissing in isMissing ? "" : value.isFinite && abs(value) < 1e15 ? String(Int(value)) : String(value) }
        }
        if file.isGroup(object) {
            guard try file.stringAttribute(object, "encoding-type") == "categorical" else {
                throw HDF5Error("\(path): \(object) is a group of an encoding this reader does not know")
            }
            let codes = try file.integers(object + "/codes")
            let categories = try categoryNames(object + "/categories")
            return try codes.map { code in
                guard code >= -1, code < categories.count else { throw HDF5Error("\(path): \(object) has code \(code) for \(categories.count) categories") }
                return code < 0 ? "" : categories[Int(code)]
            }
        }
        if let categories = try legacyCategories(frame, name) {
            return try file.integers(object).map { $0 >= 0 && $0 < categories.count ? categories[Int($0)] : "" }
        }
        return try text(object)
    }

    private func categoryNames(_ object: String) throws -> [String] { try text(object) }

    /// anndata < 0.8 kept categories in `frame/__categories/NAME` beside integer codes.
    private func legacyCategories(_ frame: String, _ name: String) throws -> [String]? {
        let legacy = frame + "/__categories/" + name
        return file.exists(legacy) ? try text(legacy) : nil
    }

    /// A dataset as text: strings as they are, numbers formatted.
    private func text(_ object: String) throws -> [String] {
        if let strings = try? file.strings(object) { return strings }
        if try file.holdsIntegers(object) { return try file.integers(object).map { String($0) } }
        // Whole numbers print without a fraction; infinities, NaN and the huge stay floats.
        return try file.floats(object).map { $0.isFinite && abs($0) < 1e15 && $0 == $0.rounded() ? String(Int($0)) : String($0) }
    }
}
