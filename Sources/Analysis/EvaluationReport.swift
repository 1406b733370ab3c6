import Foundation
import Storage

/// A run's `report.json`: one evaluation of generated cells against held-out ones. Every
/// figure is a pair of top-level keys, `key` (the generated cells') and `key_floor` (real
/// against real), so that `json.load` and pandas read it flat; beside them what was
/// compared and, for a conditional run, the per-type figures. Non-finite figures are
/// `null`. `wbdit eval --run` and the workbench's `e` write it; the workbench's Compare
/// tab and `wbdit report` read it.
public struct EvaluationReport: Codable, Equatable, Sendable {
    public struct Figure: Equatable, Sendable {
        public var key: String
        public var generated: Double
        public var floor: Double
        public init(key: String, generated: Double, floor: Double) { (self.key, self.generated, self.floor) = (key, generated, floor) }
    }

    /// One requested cell type's figures (`PerLabelEvaluation.Row`).
    public struct CellType: Codable, Equatable, Sendable {
        public var label: String
        public var realCells: Int
        public var generatedCells: Int
        @FiniteOrNull public var accuracy: Double
        @FiniteOrNull public var accuracyFloor: Double
        @FiniteOrNull public var mmd2: Double
        @FiniteOrNull public var mmd2Floor: Double
        @FiniteOrNull public var markerOverlap: Double

        enum CodingKeys: String, CodingKey {
            case label, accuracy, mmd2
            case realCells = "real_cells", generatedCells = "generated_cells", accuracyFloor = "accuracy_floor"
            case mmd2Floor = "mmd2_floor", markerOverlap = "marker_overlap"
        }

        init(_ row: PerLabelEvaluation.Row) {
            (label, realCells, generatedCells) = (row.label, row.realCells, row.generatedCells)
            (accuracy, accuracyFloor, mmd2, mmd2Floor) = (row.accuracy, row.accuracyFloor, row.mmd2, row.mmd2Floor)
            markerOverlap = row.markerOverlap
        }
    }

    /// The figures, in the evaluation's order (read back: sorted by key).
    public var figures: [Figure]
    public var realCells: Int?
    public var generatedCells: Int?
    public var genes: Int?
    /// What the generated cells were: `counts` (drawn by the run's count model), `network`
    /// (the network's own values) or `file` (given to `wbdit eval --generated`).
    public var generatedValues: String?
    /// How many leading principal components the count model's smooth part kept (its
    /// cross-validated rank), for counts.
    public var countModelComponents: Int?
    /// The training step whose samples were scored (the workbench's evaluations).
    public var step: Int?
    /// The classifier-free guidance weight of a conditional run's cells.
    public var guidance: Double?
    /// A conditional run's chance accuracy (the largest real type's share).
    public var chance: Double?
    /// A conditional run's figures per requested type, the most common real type first.
    public var perLabel: [CellType]?

    /// The report of `evaluation`; with `types`, its means become the figures
    /// `type_accuracy` and `type_mmd2`, and its rows `per_label`; with `attributes` (a run
    /// conditioned on several columns), each column's recognition is the figure
    /// `attribute_accuracy_COLUMN`.
    public init(_ evaluation: Evaluation, realCells: Int, generatedCells: Int, genes: Int, generatedValues: String? = nil,
                countModelComponents: Int? = nil, step: Int? = nil, guidance: Double? = nil, types: PerLabelEvaluation? = nil,
                attributes: AttributeRecognition? = nil) {
        self.countModelComponents = countModelComponents
        figures = evaluation.rows.map { Figure(key: $0.key, generated: $0.generated, floor: $0.floor) }
        (self.realCells, self.generatedCells, self.genes) = (realCells, generatedCells, genes)
        (self.generatedValues, self.step, self.guidance) = (generatedValues, step, guidance)
        if let types {
            figures += [Figure(key: "type_accuracy", generated: types.means.accuracy, floor: types.meanAccuracyFloor),
                        Figure(key: "type_mmd2", generated: types.means.mmd2, floor: types.meanMMD2Floor)]
            chance = types.chance
            perLabel = types.rows.map(CellType.init)
        }
        if let attributes {
            figures += attributes.rows.map { Figure(key: "attribute_accuracy_\($0.column)", generated: $0.accuracy, floor: $0.floor) }
        }
    }

    /// The figure named `key`, if the report has it.
    public func figure(_ key: String) -> Figure? { figures.first { $0.key == key } }

    /// Where a run keeps its latest evaluation.
    public static func path(inRun run: String) -> String { run + "/report.json" }

    /// The report at `path`, or nil when there is none or it cannot be read as one.
    public static func read(_ path: String) -> EvaluationReport? {
        FileBytes.read(path).flatMap { try? JSONDecoder().decode(EvaluationReport.self, from: $0) }
    }

    /// Writes the report atomically as the run's latest evaluation, and returns its bytes.
    @discardableResult
    public func write(intoRun run: String) throws -> Data {
        let bytes = try encoded()
        try AtomicFile.write(bytes, to: Self.path(inRun: run))
        return bytes
    }

    /// The report as `report.json` holds it.
    public func encoded() throws -> Data { try reportJSON(self) }

    // MARK: - Codable, by hand: the figures are pairs of top-level keys

    private static let fields = ["real_cells", "generated_cells", "genes", "generated_values", "count_model_components", "step", "guidance", "chance",
                                 "per_label"]

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: JSONKey.self)
        realCells = try c.decodeIfPresent(Int.self, forKey: JSONKey("real_cells"))
        generatedCells = try c.decodeIfPresent(Int.self, forKey: JSONKey("generated_cells"))
        genes = try c.decodeIfPresent(Int.self, forKey: JSONKey("genes"))
        generatedValues = try c.decodeIfPresent(String.self, forKey: JSONKey("generated_values"))
        countModelComponents = try c.decodeIfPresent(Int.self, forKey: JSONKey("count_model_components"))
        step = try c.decodeIfPresent(Int.self, forKey: JSONKey("step"))
        guidance = try c.decodeIfPresent(Double.self, forKey: JSONKey("guidance"))
        chance = try c.decodeIfPresent(Double.self, forKey: JSONKey("chance"))
        perLabel = try c.decodeIfPresent([CellType].self, forKey: JSONKey("per_label"))
        let names = Set(c.allKeys.map(\.stringValue))
        func number(_ key: String) throws -> Double { try c.decodeIfPresent(FiniteOrNull.self, forKey: JSONKey(key))?.wrappedValue ?? .nan }
        figures = try names.filter { !$0.hasSuffix("_floor") && !Self.fields.contains($0) && names.contains($0 + "_floor") }.sorted()
            .map { key in Figure(key: key, generated: try number(key), floor: try number(key + "_floor")) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        for figure in figures {
            try c.encode(FiniteOrNull(wrappedValue: figure.generated), forKey: JSONKey(figure.key))
            try c.encode(FiniteOrNull(wrappedValue: figure.floor), forKey: JSONKey(figure.key + "_floor"))
        }
        try c.encodeIfPresent(realCells, forKey: JSONKey("real_cells"))
        try c.encodeIfPresent(generatedCells, forKey: JSONKey("generated_cells"))
        try c.encodeIfPresent(genes, forKey: JSONKey("genes"))
        try c.encodeIfPresent(generatedValues, forKey: JSONKey("generated_values"))
        try c.encodeIfPresent(countModelComponents, forKey: JSONKey("count_model_components"))
        try c.encodeIfPresent(step, forKey: JSONKey("step"))
        try c.encodeIfPresent(guidance.map(FiniteOrNull.init), forKey: JSONKey("guidance"))
        try c.encodeIfPresent(chance.map(FiniteOrNull.init), forKey: JSONKey("chance"))
        try c.encodeIfPresent(perLabel, forKey: JSONKey("per_label"))
    }
}

/// What the report files hold (`report.json`, `sweep.json`): one line of JSON, keys sorted
/// so that the same figures give the same bytes, and a newline.
func reportJSON<T: Encodable>(_ value: T) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return try encoder.encode(value) + Data("\n".utf8)
}
