import CellData
import Foundation
import Networks

/// A fitted count model as a run keeps it, `count-model.safetensors`: one float32 tensor
/// per part, so that NumPy or PyTorch read it as they read a checkpoint.
///
///     scale, dispersion, floor   [genes]             a_g, θ_g and the floor of m_cg
///     basis_mean                 [genes]             the smooth part's basis: μ
///     basis_axes                 [genes, genes]      its axes (column j the j-th), of which
///                                                    metadata `components` are kept
///     calibration_values         [genes, bins]       h_g's knots: smooth values …
///     calibration_means          [genes, bins]       … and mean normalised counts
///     reference_scores           [cells, components] the depth donors' smooth scores …
///     reference_library_sizes    [cells]             … their library sizes
///     reference_totals           [cells]             … their counts over these genes
///     reference_detected         [cells]             … the genes their smooth parts detect there
///     reference_dispersion_factors [cells]           … their factors on the dispersions
///     reference_weights          [cells]             … and their weights as donors
///
/// with metadata `target_sum` (the run's normalize_total target) and `format` (4; formats
/// 1 to 3, written before the calibrated means, the weighted donors and the donors'
/// complexity, are read as outdated: fitted again from the run's cells).
extension CountModel {
    public static let fileName = "count-model.safetensors"
    static let fileFormat = "4"

    /// Whether `path` holds a model of a format this wbdit no longer draws counts with.
    public static func isOutdated(_ path: String) -> Bool {
        guard let format = (try? SafeTensorsFile(contentsOf: path))?.metadata["format"].flatMap(Int.init) else { return false }
        return format < Int(fileFormat)!
    }

    /// Writes the model atomically into `path`.
    public func write(to path: String) throws {
        let g = basis.genes
        var file = SafeTensorsWriter(metadata: ["format": Self.fileFormat, "components": String(basis.components),
                                                "target_sum": String(targetSum)])
        file.add("scale", shape: [g], floats: scale)
        file.add("dispersion", shape: [g], floats: dispersion)
        file.add("floor", shape: [g], floats: floor)
        file.add("basis_mean", shape: [g], floats: basis.mean)
        file.add("basis_axes", shape: [g, g], floats: basis.axes)
        file.add("calibration_values", shape: [g, calibration.bins], floats: calibration.knotValues)
        file.add("calibration_means", shape: [g, calibration.bins], floats: calibration.knotMeans)
        let cells = donors.scores.cells
        file.add("reference_scores", shape: [cells, donors.scores.genes], floats: donors.scores.values)
        file.add("reference_library_sizes", shape: [cells], floats: donors.libraries)
        file.add("reference_totals", shape: [cells], floats: donors.totals)
        file.add("reference_detected", shape: [cells], floats: donors.detected)
        file.add("reference_dispersion_factors", shape: [cells], floats: donors.factors)
        file.add("reference_weights", shape: [cells], floats: donors.weights)
        try file.write(to: path)
    }

    /// Reads a model written by `write(to:)`, for cells of `genes` genes; a file that is
    /// damaged, of another format or for other genes is refused, naming the file.
    public init(contentsOf path: String, genes: Int) throws {
        func bad(_ why: String) -> TrainingError { TrainingError("\(path): \(why); delete it to fit the count model again from the run's cells") }
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(contentsOf: path) } catch { throw bad("\(error)") }
        guard file.metadata["format"] == Self.fileFormat else { throw bad("count-model format \(file.metadata["format"] ?? "none"), this wbdit reads \(Self.fileFormat)") }
        guard let targetSum = file.metadata["target_sum"].flatMap(Double.init), targetSum > 0,
              let components = file.metadata["components"].flatMap(Int.init), (1...genes).contains(components) else {
            throw bad("its target_sum or components metadata is missing or out of range")
        }
        func tensor(_ name: String, _ shape: [Int]) throws -> [Float] {
            guard let info = file.info(name), info.shape == shape else {
                throw bad("tensor \(name) is missing or not of shape \(shape)")
            }
            let values = try file.floats(name)
            guard values.allSatisfy(\.isFinite) else { throw bad("tensor \(name) holds values that are not finite") }
            return values
        }
        guard let referenceShape = file.info("reference_scores")?.shape, referenceShape.count == 2, referenceShape[0] >= 1 else {
            throw bad("tensor reference_scores is missing or not a matrix")
        }
        let n = referenceShape[0]
        let basis = PrincipalBasis(mean: try tensor("basis_mean", [genes]), axes: try tensor("basis_axes", [genes, genes]),
                                   components: components)
        guard referenceShape[1] == components else {
            throw bad("reference_scores holds \(referenceShape[1]) scores per cell, not \(components)")
        }
        guard let calibrationShape = file.info("calibration_values")?.shape, calibrationShape.count == 2,
              calibrationShape[0] == genes, calibrationShape[1] >= 1 else {
            throw bad("tensor calibration_values is missing or not of \(genes) rows")
        }
        let calibration = ExpressionCalibration(knotValues: try tensor("calibration_values", calibrationShape),
                                                knotMeans: try tensor("calibration_means", calibrationShape),
                                                genes: genes, bins: calibrationShape[1])
        let donors = DepthDonors(scores: CellMatrix(cells: n, genes: components, values: try tensor("reference_scores", referenceShape)),
                                 libraries: try tensor("reference_library_sizes", [n]), totals: try tensor("reference_totals", [n]),
                                 detected: try tensor("reference_detected", [n]),
                                 factors: try tensor("reference_dispersion_factors", [n]),
                                 weights: try tensor("reference_weights", [n]))
        self.init(targetSum: targetSum, scale: try tensor("scale", [genes]), dispersion: try tensor("dispersion", [genes]),
                  floor: try tensor("floor", [genes]), basis: basis, calibration: calibration, donors: donors)
    }
}
