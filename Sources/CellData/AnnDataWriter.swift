import CHDF5
import Foundation
import Storage

/// Writes cells as an AnnData `.h5ad` that anndata and scanpy read: a dense float32 `X`,
/// `obs` with cell names and categorical columns, `var` with gene names, and the empty
/// groups anndata expects, all tagged with anndata's encoding attributes (0.8+ layout).
/// Rows arrive in blocks (`append`), so a million generated cells pass through bounded
/// memory; `finish` writes obs and var and renames the file into place. Until then it is
/// written beside the target, and a writer dropped unfinished leaves nothing behind.
public final class AnnDataWriter {
    public let path: String
    public let cells: Int, genes: Int
    /// Rows written so far.
    public private(set) var rowsWritten = 0
    private let partial: PartialFile
    private let file: hid_t
    private let writer: Writer
    /// X's dataset, then each layer's.
    private var matrices: [hid_t] = []
    private var closed = false

    /// A file for `cells` × `genes` values in X and in each of `layers` (dense matrices of
    /// X's shape under `layers/`); `compress` stores them gzip-compressed in chunks of rows,
    /// as anndata does with `compression="gzip"`.
    public init(path: String, cells: Int, genes: Int, layers: [String] = [], compress: Bool = false) throws {
        (self.path, self.cells, self.genes) = (path, cells, genes)
        partial = PartialFile(target: path)
        wbdit_h5_start()
        file = H5Fcreate(partial.path, wbdit_h5_truncate(), wbdit_h5_default(), wbdit_h5_default())
        guard file >= 0 else {
            partial.discard()
            throw FileWriteError(description: "cannot write \(path): \(String(cString: strerror(errno)))", code: errno)
        }
        writer = Writer(file: file, path: path)
        try writer.attributes("/", encoding: "anndata", version: "0.1.0")
        for group in ["obsm", "varm", "obsp", "varp", "layers", "uns"] {
            try writer.group(group)
            try writer.attributes(group, encoding: "dict", version: "0.1.0")
        }
        for name in ["X"] + layers.map({ "layers/" + $0 }) {
            matrices.append(try writer.floatMatrix(name, rows: cells, columns: genes, compress: compress))
            try writer.attributes(name, encoding: "array", version: "0.2.0")
        }
    }

    deinit {
        if !closed { close() }
        partial.discard()   // nothing once committed
    }

    /// The next `block.cells` rows of X, and of each layer in the order `init` named them.
    public func append(_ block: CellMatrix, layers: [CellMatrix] = []) throws {
        precondition(block.genes == genes && layers.count == matrices.count - 1 && rowsWritten + block.cells <= cells
                     && layers.allSatisfy { $0.cells == block.cells && $0.genes == genes }, "AnnDataWriter: a block does not fit the file")
        for (dataset, values) in zip(matrices, [block] + layers) {
            try writer.writeRows(dataset, values.values, from: rowsWritten, rows: block.cells, columns: genes)
        }
        rowsWritten += block.cells
    }

    /// Writes obs and var and puts the file in place. `categories` become categorical obs
    /// columns ("" is a missing value, code −1, as anndata writes NaN), `strings` string
    /// columns, `numbers` float64 obs columns.
    public func finish(cellNames: [String]? = nil, geneNames: [String]? = nil, categories: [(name: String, values: [String])] = [],
                       strings: [(name: String, values: [String])] = [], numbers: [(name: String, values: [Double])] = []) throws {
        precondition(rowsWritten == cells, "AnnDataWriter: \(rowsWritten) of \(cells) rows written")
        let cellNames = cellNames ?? (0..<cells).map { "cell\($0)" }
        let geneNames = geneNames ?? (0..<genes).map { "gene\($0)" }
        precondition(cellNames.count == cells && geneNames.count == genes, "AnnDataWriter: names do not fit the matrix")
        try writer.dataframe("obs", index: cellNames, categories: categories, strings: strings, numbers: numbers)
        try writer.dataframe("var", index: geneNames, categories: [], strings: [], numbers: [])
        errno = 0
        guard close() >= 0 else {   // flushes what HDF5 still holds: a full disk shows here
            throw FileWriteError(description: "cannot write \(path): \(Self.systemReason(or: "disk full?"))", code: errno == 0 ? ENOSPC : errno)
        }
        try partial.commit()
    }

    /// Closes the datasets and the file, once: HDF5 1.10 faults on a second close.
    @discardableResult private func close() -> herr_t {
        matrices.forEach { H5Dclose($0) }
        matrices = []
        closed = true
        return H5Fclose(file)
    }

    /// Writes `cells` whole, with `layers` of its shape: `init`, one `append` and `finish`.
    public static func write(_ cells: CellMatrix, to path: String, cellNames: [String]? = nil,
                             geneNames: [String]? = nil, categories: [(name: String, values: [String])] = [],
                             strings: [(name: String, values: [String])] = [], numbers: [(name: String, values: [Double])] = [], layers: [(name: String, values: CellMatrix)] = [],
                             compress: Bool = false) throws {
        let writer = try AnnDataWriter(path: path, cells: cells.cells, genes: cells.genes, layers: layers.map(\.name), compress: compress)
        try writer.append(cells, layers: layers.map(\.values))
        try writer.finish(cellNames: cellNames, geneNames: geneNames, categories: categories, strings: strings, numbers: numbers)
    }

    /// The system's reason for the failure just seen, when it left one in `errno`.
    private static func systemReason(or guess: String) -> String {
        errno == 0 ? guess : String(cString: strerror(errno))
    }

    /// The HDF5 calls, each checked.
    private struct Writer {
        let file: hid_t
        let path: String

        func fail(_ what: String) -> FileWriteError { FileWriteError(description: "cannot write \(path): \(what)", code: errno) }

        func group(_ name: String) throws {
            let g = H5Gcreate2(file, name, wbdit_h5_default(), wbdit_h5_default(), wbdit_h5_default())
            guard g >= 0 else { throw fail("group \(name)") }
            H5Gclose(g)
        }

        func attributes(_ object: String, encoding: String, version: String) throws {
            try stringAttribute(object, "encoding-type", encoding)
            try stringAttribute(object, "encoding-version", version)
        }

        func dataframe(_ name: String, index: [String], categories: [(name: String, values: [String])],
                       strings columns: [(name: String, values: [String])], numbers: [(name: String, values: [Double])]) throws {
            try group(name)
            try attributes(name, encoding: "dataframe", version: "0.2.0")
            try stringAttribute(name, "_index", "_index")
            try stringArrayAttribute(name, "column-order", categories.map(\.name) + columns.map(\.name) + numbers.map(\.name))
            for (column, values) in numbers {
                try doubleDataset(name + "/" + column, values)
                try attributes(name + "/" + column, encoding: "array", version: "0.2.0")
            }
            for (column, values) in columns {
                try strings(name + "/" + column, values)
                try attributes(name + "/" + column, encoding: "string-array", version: "0.2.0")
            }
            try strings(name + "/_index", index)
            try attributes(name + "/_index", encoding: "string-array", version: "0.2.0")
            for (column, values) in categories {
                let levels = Array(Set(values).subtracting([""])).sorted()
                let code = Dictionary(uniqueKeysWithValues: levels.enumerated().map { ($1, $0) })
                let codes = values.map { code[$0] ?? -1 }
                let object = name + "/" + column
                try group(object)
                try attributes(object, encoding: "categorical", version: "0.2.0")
                try int8Attribute(object, "ordered", 0)
                // The smallest integers that hold every code, as anndata chooses them.
                if levels.count <= Int(Int8.max) {
                    try int8Dataset(object + "/codes", codes.map { Int8($0) })
                } else {
                    try int64Dataset(object + "/codes", codes.map { Int64($0) })
                }
                try attributes(object + "/codes", encoding: "array", version: "0.2.0")
                try strings(object + "/categories", levels)
                try attributes(object + "/categories", encoding: "string-array", version: "0.2.0")
            }
        }

        /// An empty rows × columns float32 dataset, written a block of rows at a time (`writeRows`).
        func floatMatrix(_ name: String, rows: Int, columns: Int, compress: Bool) throws -> hid_t {
            var dims = [hsize_t(rows), hsize_t(columns)]
            let space = H5Screate_simple(2, &dims, nil)
            defer { H5Sclose(space) }
            let properties = H5Pcreate(wbdit_h5_dataset_create())
            defer { H5Pclose(properties) }
            if compress && rows > 0 && columns > 0 {
                var chunk = [hsize_t(min(rows, max(1, 65_536 / columns))), hsize_t(columns)]
                H5Pset_chunk(properties, 2, &chunk)
                H5Pset_deflate(properties, 4)
            }
            let dataset = H5Dcreate2(file, name, wbdit_h5_ieee_f32le(), space, wbdit_h5_default(), properties, wbdit_h5_default())
            guard dataset >= 0 else { throw fail("dataset \(name)") }
            return dataset
        }

        /// `rows` rows of a `floatMatrix`, from row `first`.
        func writeRows(_ dataset: hid_t, _ values: [Float], from first: Int, rows: Int, columns: Int) throws {
            guard rows > 0 && columns > 0 else { return }
            let fileSpace = H5Dget_space(dataset)
            defer { H5Sclose(fileSpace) }
            var offsets = [hsize_t(first), 0], sizes = [hsize_t(rows), hsize_t(columns)]
            guard H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, &offsets, nil, &sizes, nil) >= 0 else { throw fail("rows of X") }
            let memorySpace = H5Screate_simple(2, &sizes, nil)
            defer { H5Sclose(memorySpace) }
            errno = 0
            let status = values.withUnsafeBytes {
                H5Dwrite(dataset, wbdit_h5_native_float(), memorySpace, fileSpace, wbdit_h5_default(), $0.baseAddress)
            }
            guard status >= 0 else { throw fail("rows \(first)..<\(first + rows): \(AnnDataWriter.systemReason(or: "disk full?"))") }
        }

        func doubleDataset(_ name: String, _ values: [Double]) throws {
            try numericDataset(name, values, fileType: wbdit_h5_ieee_f64le(), memoryType: wbdit_h5_native_double())
        }

        func int8Dataset(_ name: String, _ values: [Int8]) throws {
            try numericDataset(name, values, fileType: wbdit_h5_std_i8le(), memoryType: wbdit_h5_native_int8())
        }

        func int64Dataset(_ name: String, _ values: [Int64]) throws {
            try numericDataset(name, values, fileType: wbdit_h5_std_i64le(), memoryType: wbdit_h5_native_int64())
        }

        /// A 1-D dataset of numbers stored as `fileType`.
        private func numericDataset<T>(_ name: String, _ values: [T], fileType: hid_t, memoryType: hid_t) throws {
            var dims = [hsize_t(values.count)]
            let space = H5Screate_simple(1, &dims, nil)
            defer { H5Sclose(space) }
            let dataset = H5Dcreate2(file, name, fileType, space, wbdit_h5_default(), wbdit_h5_default(), wbdit_h5_default())
            guard dataset >= 0 else { throw fail("dataset \(name)") }
            defer { H5Dclose(dataset) }
            guard values.withUnsafeBytes({ H5Dwrite(dataset, memoryType, wbdit_h5_all(), wbdit_h5_all(), wbdit_h5_default(), $0.baseAddress) }) >= 0 else {
                throw fail("the values of \(name)")
            }
        }

        /// A 1-D dataset of variable-length UTF-8 strings.
        func strings(_ name: String, _ values: [String]) throws {
            var dims = [hsize_t(values.count)]
            let space = H5Screate_simple(1, &dims, nil)
            defer { H5Sclose(space) }
            let type = stringType()
            defer { H5Tclose(type) }
            let dataset = H5Dcreate2(file, name, type, space, wbdit_h5_default(), wbdit_h5_default(), wbdit_h5_default())
            guard dataset >= 0 else { throw fail("dataset \(name)") }
            defer { H5Dclose(dataset) }
            let status = withCStrings(values) { H5Dwrite(dataset, type, wbdit_h5_all(), wbdit_h5_all(), wbdit_h5_default(), $0) }
            guard status >= 0 else { throw fail("the strings of \(name)") }
        }

        func stringAttribute(_ object: String, _ name: String, _ value: String) throws {
            let space = H5Screate(H5S_SCALAR)
            defer { H5Sclose(space) }
            try attribute(object, name, space: space) { attribute, type in
                withCStrings([value]) { H5Awrite(attribute, type, $0) }
            }
        }

        func stringArrayAttribute(_ object: String, _ name: String, _ values: [String]) throws {
            var dims = [hsize_t(values.count)]
            let space = H5Screate_simple(1, &dims, nil)
            defer { H5Sclose(space) }
            try attribute(object, name, space: space) { attribute, type in
                withCStrings(values) { H5Awrite(attribute, type, $0) }
            }
        }

        func int8Attribute(_ object: String, _ name: String, _ value: Int8) throws {
            let space = H5Screate(H5S_SCALAR)
            defer { H5Sclose(space) }
            let attribute = H5Acreate_by_name(file, object, name, wbdit_h5_std_i8le(), space,
                                              wbdit_h5_default(), wbdit_h5_default(), wbdit_h5_default())
            guard attribute >= 0 else { throw fail("attribute \(name) of \(object)") }
            defer { H5Aclose(attribute) }
            var v = value
            guard H5Awrite(attribute, wbdit_h5_native_int8(), &v) >= 0 else { throw fail("attribute \(name) of \(object)") }
        }

        private func attribute(_ object: String, _ name: String, space: hid_t,
                               write: (hid_t, hid_t) -> herr_t) throws {
            let type = stringType()
            defer { H5Tclose(type) }
            let attribute = H5Acreate_by_name(file, object, name, type, space,
                                              wbdit_h5_default(), wbdit_h5_default(), wbdit_h5_default())
            guard attribute >= 0 else { throw fail("attribute \(name) of \(object)") }
            defer { H5Aclose(attribute) }
            guard write(attribute, type) >= 0 else { throw fail("attribute \(name) of \(object)") }
        }

        private func stringType() -> hid_t {
            let type = H5Tcopy(wbdit_h5_c_string())
            H5Tset_size(type, wbdit_h5_variable())
            H5Tset_cset(type, H5T_CSET_UTF8)
            return type
        }

        /// Calls `body` with an array of C string pointers valid for the call.
        private func withCStrings<R>(_ values: [String], _ body: (UnsafeRawPointer) -> R) -> R {
            let pointers = values.map { strdup($0) }
            defer { pointers.forEach { free($0) } }
            return pointers.withUnsafeBufferPointer { body(UnsafeRawPointer($0.baseAddress ?? UnsafePointer(bitPattern: 8)!)) }
        }
    }
}
