/// The t-SNE map as the Cells screen draws it: real cells, and generated cells placed on it.
public struct CellMap: Equatable, Sendable {
    /// [n, 2] positions of the held-out real cells.
    public var real: [Float]
    /// [m, 2] positions of the generated cells placed so far (nil before any).
    public var generated: [Float]?
    /// The sample step the generated cells came from.
    public var generatedStep: Int?
    public var iteration: Int
    public var totalIterations: Int
    /// What the map is doing: "embedding", "early exaggeration", "placing 200 cells", "done".
    public var phase: String
    /// KL(P‖Q) of the finished map.
    public var klDivergence: Double?

    public init(real: [Float], generated: [Float]? = nil, generatedStep: Int? = nil, iteration: Int, totalIterations: Int,
                phase: String, klDivergence: Double? = nil) {
        self.real = real
        self.generated = generated
        self.generatedStep = generatedStep
        self.iteration = iteration
        self.totalIterations = totalIterations
        self.phase = phase
        self.klDivergence = klDivergence
    }
}
