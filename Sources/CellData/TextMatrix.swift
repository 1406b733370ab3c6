import Foundation

/// Cells from text: dense CSV/TSV tables and 10x Genomics Matrix Market folders.
public struct LabelledMatrix {
    public var matrix: CellMatrix
    public var cellNames: [String]
    public var geneNames: [String]
}

public enum TextMatrix {
    /// A dense table with a header row of gene names and one row per cell; a first column
    /// that is not numeric holds the cell names. Commas for .csv, tabs otherwise; may be gzipped.
    public static func table(_ path: String) throws -> LabelledMatrix {
        let separator: Character = path.lowercased().contains(".csv") ? "," : "\t"
        let lines = try TextFile.lines(path)
        guard let header = lines.first else { throw TextFormatError("\(path) is empty") }
        let columns = fields(header, separator).map(clean)
        let rows = lines.dropFirst().map { fields($0, separator).map(clean) }
        guard let first = rows.first else { throw TextFormatError("\(path) has a header but no cells") }
        let named = Float(first[0]) == nil
        let genes = named ? Array(columns.dropFirst(columns.count == first.count ? 1 : 0)) : columns
        var values = [Float]()
        values.reserveCapacity(rows.count * genes.count)
        var cellNames = [String]()
        for (r, row) in rows.enumerated() {
            let fields = named ? row.dropFirst() : row[...]
            guard fields.count == genes.count else {
                throw TextFormatError("\(path), line \(r + 2): \(fields.count) values for \(genes.count) genes")
            }
            for (c, field) in fields.enumerated() {
                guard let v = Float(field), v.isFinite else {
                    throw TextFormatError("\(path), line \(r + 2): \"\(field)\" in column \(genes[c]) is not a finite number")
                }
                values.append(v)
            }
            cellNames.append(named ? String(row[0]) : "cell\(r)")
        }
        return LabelledMatrix(matrix: CellMatrix(cells: rows.count, genes: genes.count, values: values),
                              cellNames: cellNames, geneNames: genes.map(String.init))
    }

    /// A 10x Genomics folder: matrix.mtx(.gz) (genes × cells, Matrix Market coordinates),
    /// features.tsv(.gz) or genes.tsv(.gz) (the gene symbol is the second column when there
    /// is one), barcodes.tsv(.gz).
    public static func tenX(_ folder: String) throws -> LabelledMatrix {
        func find(_ names: [String]) throws -> String {
            for name in names {
                for candidate in [name, name + ".gz"] where FileManager.default.fileExists(atPath: folder + "/" + candidate) {
                    return folder + "/" + candidate
                }
            }
            throw TextFormatError("\(folder) has no \(names[0])(.gz): it is not a 10x folder")
        }
        let matrixPath = try find(["matrix.mtx"])
        let genes = try TextFile.lines(try find(["features.tsv", "genes.tsv"])).map { line -> String in
            let fields = line.split(separator: "\t")
            return String(fields.count > 1 ? fields[1] : fields.first ?? "")
        }
        let barcodes = try TextFile.lines(try find(["barcodes.tsv"])).map { String($0.split(separator: "\t").first ?? "") }

        let lines = try TextFile.lines(matrixPath)
        guard let banner = lines.first, banner.hasPrefix("%%MatrixMarket matrix coordinate") else {
            throw TextFormatError("\(matrixPath) is not a Matrix Market coordinate file")
        }
        var body = lines.dropFirst().drop { $0.hasPrefix("%") }
        guard let size = body.popFirst()?.split(separator: " ").compactMap({ Int($0) }), size.count == 3 else {
            throw TextFormatError("\(matrixPath) has no size line")
        }
        let (rows, columns, entries) = (size[0], size[1], size[2])
        guard rows == genes.count, columns == barcodes.count else {
            throw TextFormatError("\(matrixPath) is \(rows) × \(columns), but there are \(genes.count) features and \(barcodes.count) barcodes")
        }
        let (total, overflow) = rows.multipliedReportingOverflow(by: columns)
        guard !overflow, Double(total) * 4 <= CellMatrix.memoryLimit else {
            throw TextFormatError("\(matrixPath) declares \(rows) × \(columns) values, more than half this machine's memory as dense Float32")
        }
        var values = [Float](repeating: 0, count: total)
        var read = 0
        for (k, line) in body.enumerated() {
            let fields = line.split(separator: " ")
            guard fields.count >= 3, let gene = Int(fields[0]), let cell = Int(fields[1]), let value = Float(fields[2]),
                  (1...rows).contains(gene), (1...columns).contains(cell), value.isFinite else {
                if k == body.count - 1, k + 1 < entries, fields.count < 3 {
                    throw TextFormatError("\(matrixPath) ends part-way through entry \(k + 1) of the \(entries) its size line says: the file is cut short")
                }
                throw TextFormatError("\(matrixPath), entry \(k + 1): \"\(line)\" is not a valid entry")
            }
            values[(cell - 1) * rows + (gene - 1)] = value   // cells × genes
            read += 1
        }
        guard read == entries else { throw TextFormatError("\(matrixPath) lists \(read) entries, not the \(entries) its size line says") }
        return LabelledMatrix(matrix: CellMatrix(cells: columns, genes: rows, values: values),
                              cellNames: barcodes, geneNames: genes)
    }

    /// A line's fields; a field in double quotes may hold the separator (and "" for a quote),
    /// as R's `write.csv` and pandas quote names.
    static func fields(_ line: Substring, _ separator: Character) -> [Substring] {
        guard line.contains("\"") else { return line.split(separator: separator, omittingEmptySubsequences: false) }
        var fields: [Substring] = [], field = "", quoted = false
        var characters = line.makeIterator()
        while let c = characters.next() {
            if quoted {
                if c == "\"" {
                    // A doubled quote inside quotes is a quote; a single one closes the field's quotes.
                    var lookahead = characters
                    if lookahead.next() == "\"" { field.append(c); characters = lookahead } else { quoted = false }
                } else { field.append(c) }
            } else if c == "\"" { quoted = true
            } else if c == separator { fields.append(Substring(field)); field = ""
            } else { field.append(c) }
        }
        fields.append(Substring(field))
        return fields
    }

    private static func clean(_ field: Substring) -> Substring {
        field.trimmingCharacters(in: CharacterSet(charactersIn: "\" \r"))[...]
    }
}
