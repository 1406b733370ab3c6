import Foundation

/// Labels from several obs columns at once. A label key names one column ("cell_type") or
/// several joined by commas ("cell_type,donor"); under a key of several columns a cell's
/// label is "cell_type=B,donor=3", the form `wbdit sample --label` takes, with an empty
/// value where a column has none. Under one column a label is the column's value itself.
public enum CombinedLabel {
    /// The columns a label key names.
    public static func columns(of key: String) -> [String] {
        key.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: .whitespaces) }
    }

    /// The label of a cell whose value in each of `columns` is `values`.
    public static func join(_ columns: [String], _ values: [String]) -> String {
        columns.count == 1 ? values[0] : zip(columns, values).map { "\($0)=\($1)" }.joined(separator: ",")
    }

    /// The value `label` gives each of `columns`, nil for a column it does not name. A part
    /// that starts with no column's name and "=" continues the value before it, so values may
    /// hold commas.
    public static func values(in label: String, columns: [String]) throws -> [String?] {
        if columns.count == 1 {
            let prefix = columns[0] + "="
            return [label.hasPrefix(prefix) ? String(label.dropFirst(prefix.count)) : label]
        }
        var values = [String?](repeating: nil, count: columns.count)
        var current: Int?
        for part in label.split(separator: ",", omittingEmptySubsequences: false) {
            if let k = columns.firstIndex(where: { part.hasPrefix($0 + "=") }) {
                guard values[k] == nil else { throw CombinedLabelError("\(label) names \(columns[k]) twice") }
                values[k] = String(part.dropFirst(columns[k].count + 1))
                current = k
            } else if let k = current {
                values[k]! += "," + part
            } else {
                throw CombinedLabelError("\(label) is not COLUMN=VALUE[,COLUMN=VALUE…] for the columns \(columns.joined(separator: ", "))")
            }
        }
        return values
    }
}

/// A combined label could not be read; the message says why.
public struct CombinedLabelError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension AnnDataFile {
    /// Each cell's label under `key` (a column, or several joined by commas: see
    /// `CombinedLabel`); a column whose name holds a comma is read as itself.
    public func labels(_ key: String) throws -> [String] {
        let columns = CombinedLabel.columns(of: key)
        if try columns.count == 1 || self.columns("obs").contains(key) { return try column(key) }
        let values = try columns.map { try column($0) }
        return (0..<(values.first?.count ?? 0)).map { i in CombinedLabel.join(columns, values.map { $0[i] }) }
    }
}
