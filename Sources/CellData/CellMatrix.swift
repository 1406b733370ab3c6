import Foundation
import Storage

/// A cells × genes matrix of Float32 expression values, row-major.
public struct CellMatrix: Equatable {
    public let cells: Int
    public let genes: Int
    public var values: [Float]

    /// The most bytes a matrix read whole may take: half this machine's memory. Files that
    /// declare more are refused before anything is allocated.
    public static let memoryLimit = Double(ProcessInfo.processInfo.physicalMemory) / 2

    public init(cells: Int, genes: Int, values: [Float]) {
        precondition(values.count == cells * genes, "CellMatrix: \(values.count) values for \(cells) × \(genes)")
        self.cells = cells
        self.genes = genes
        self.values = values
    }

    /// Reads a `.npy` of shape [cells, genes] or [cells, 1, genes] (the reference's layout),
    /// refusing NaN and infinite values. `expectedGenes`, when given, must match.
    public static func load(npy path: String, expectedGenes: Int? = nil, role: String = "cells") throws -> CellMatrix {
        let array = try NumpyArray(contentsOf: path)
        let s = array.shape
        guard s.count == 2 || (s.count == 3 && s[1] == 1) else {
            throw NumpyError("\(path): \(role) must have shape [cells, genes] or [cells, 1, genes], not \(s)")
        }
        let (cells, genes) = (s[0], s[s.count - 1])
        guard cells >= 1, genes >= 1 else { throw NumpyError("\(path): \(role) is empty (shape \(s))") }
        if let expectedGenes, genes != expectedGenes {
            throw NumpyError("\(path): \(role) has \(genes) genes per cell, but the model expects \(expectedGenes)")
        }
        if let i = array.values.firstIndex(where: { !$0.isFinite }) {
            throw NumpyError("\(path): \(role) holds \(array.values[i]) at cell \(i / genes), gene \(i % genes)")
        }
        return CellMatrix(cells: cells, genes: genes, values: array.values)
    }

    /// Writes the matrix as CSV: a header of gene names, then one row per cell, led by its name.
    public func write(csv path: String, cellNames: [String], geneNames: [String]) throws {
        let file = try CellRowsFile(path: path, format: .csv, cells: cells, genes: genes, geneNames: geneNames)
        try file.append(self, cellNames: cellNames)
        try file.finish()
    }

    /// Writes the matrix as a float32 `.npy` of shape [cells, genes], atomically.
    public func write(npy path: String) throws {
        try NumpyArray(shape: [cells, genes], values: values).write(to: path)
    }
}

/// Diffusion timesteps, one per cell.
public enum Timesteps {
    /// The number of diffusion steps T; timesteps run 0…T−1.
    public static let count = 1000

    /// Reads a `.npy` of `cells` integer timesteps in 0…999 (shape [cells] or [cells, 1];
    /// integers, or floats holding whole numbers).
    public static func load(npy path: String, cells: Int) throws -> [Float] {
        let array = try NumpyArray(contentsOf: path)
        guard array.shape == [cells] || array.shape == [cells, 1] else {
            throw NumpyError("\(path): timesteps must have shape [\(cells)] (one per cell), not \(array.shape)")
        }
        if let bad = array.values.first(where: { !($0 >= 0 && $0 < Float(count) && $0.rounded() == $0) }) {
            throw NumpyError("\(path): timestep \(bad) is not an integer in 0…\(count - 1)")
        }
        return array.values
    }
}
