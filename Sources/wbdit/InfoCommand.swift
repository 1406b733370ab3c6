import ArgumentParser
import CellData
import Foundation
import TextUI

/// `wbdit info`: what an .h5ad file holds, before training on it.
struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Describe an .h5ad file: its matrices and its cell annotations.",
        discussion: """
        Lists every matrix the file offers (X, raw/X, layers/NAME) with its encoding, shape, \
        value type and sparsity, whether it looks like raw counts, and the obs columns with \
        their distinct values.

        Example:
          wbdit info sample-data/zeisel2015.h5ad
        """
    )

    @Argument(help: "An AnnData .h5ad file.")
    var file: String

    func run() throws {
        let data = try AnnDataFile(path: file)
        var rows: [[String]] = [["matrix", "encoding", "cells × genes", "values", "zeros", "range", "looks like"]]
        var damage: [String] = []
        for source in try data.sources() {
            let (cells, genes) = try data.shape(of: source)
            // A matrix whose shape disagrees with obs or var is described, not read.
            do { _ = try data.matrix(named: source) } catch {
                rows.append([source, try data.encoding(of: source).rawValue, "\(cells) × \(genes)", "", "", "", "damaged (below)"])
                damage.append("\(error)")
                continue
            }
            let summary = try data.valueSummary(of: source)
            let (low, high, notFinite) = (summary.low, summary.high, summary.notFinite)
            rows.append([source, try data.encoding(of: source).rawValue, "\(cells) × \(genes)",
                         try data.storesIntegers(source) ? "integer" : "float",
                         String(format: "%.1f%%", 100 * Double(summary.zeros) / Double(max(1, summary.entries))),
                         "\(Self.number(low)) … \(Self.number(high))",
                         notFinite > 0 ? "damaged: \(notFinite) value\(notFinite == 1 ? "" : "s") NaN or infinite"
                             : low < 0 ? "scaled (negative values)" : summary.integral ? "raw counts" : "normalised"])
        }
        print(file)
        print(Table(rows).text)
        for line in damage { print("damaged: \(line)") }
        if try data.sources().contains("X") {
            let (cells, genes) = try data.shape()
            let bytes = cells * genes * 4
            let fits = Double(bytes) <= CellMatrix.memoryLimit ? "" : " (more than half this machine's memory: train streams it with --streaming)"
            print(String(format: "X in memory as dense float32: %@", Format.bytes(bytes)) + fits)
        } else {
            print("no X: train and prep read another matrix with --source")
        }
        let columns = try data.columns("obs")
        print("\nobs: \(try data.names("obs").count) cells, \(columns.count) column\(columns.count == 1 ? "" : "s")")
        var obsRows: [[String]] = [["column", "distinct", "most common"]]
        for column in columns {
            let values = try data.column(column)
            obsRows.append([column, String(Set(values).count), Self.mostCommon(values)])
        }
        if !columns.isEmpty { print(Table(obsRows).text) }
    }

    /// The three most frequent values with their counts; a missing value (an empty label,
    /// or NaN in a number column) reads "(missing)".
    private static func mostCommon(_ values: [String]) -> String {
        var counts: [String: Int] = [:]
        for v in values { counts[v, default: 0] += 1 }
        let ranked = counts.sorted { (a: (key: String, value: Int), b: (key: String, value: Int)) -> Bool in
            a.value != b.value ? a.value > b.value : a.key < b.key
        }
        return ranked.prefix(3).map { "\($0.key.isEmpty || $0.key == "nan" ? "(missing)" : $0.key) (\($0.value))" }.joined(separator: ", ")
    }

    private static func number(_ v: Float) -> String { v == v.rounded() && abs(v) < 1e9 ? String(Int(v)) : String(format: "%.3g", v) }
}
