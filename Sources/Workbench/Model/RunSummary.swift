import Analysis
/// One run of `runs/` as the Compare screen lists it.
public struct RunSummary: Equatable, Sendable {

    public var name: String
    public var architecture: String
    /// "256/3/8": width, blocks, heads.
    public var shape: String
    public var parameters: Int
    public var stepsDone: Int
    public var totalSteps: Int
    /// Medians over the logged steps.
    public var secondsPerStep: Double?
    public var cellsPerSecond: Double?
    public var peakMemoryMiB: Double?
    public var bestLoss: Double?
    /// (step, loss), thinned to a few hundred points.
    public var losses: [(step: Int, loss: Double)]
    /// The latest evaluation (report.json), when there is one.
    public var metrics: [EvaluationReport.Figure]
    /// Its per-type figures, for a conditional run: how often cells asked for each type are
    /// classified as that type, beside the real-vs-real rate.
    public var perType: [(label: String, accuracy: Double, floor: Double)] = []

    public init(name: String, architecture: String, shape: String, parameters: Int, stepsDone: Int, totalSteps: Int,
                secondsPerStep: Double?, cellsPerSecond: Double?, peakMemoryMiB: Double?, bestLoss: Double?,
                losses: [(step: Int, loss: Double)], metrics: [EvaluationReport.Figure]) {
        self.name = name
        self.architecture = architecture
        self.shape = shape
        self.parameters = parameters
        self.stepsDone = stepsDone
        self.totalSteps = totalSteps
        self.secondsPerStep = secondsPerStep
        self.cellsPerSecond = cellsPerSecond
        self.peakMemoryMiB = peakMemoryMiB
        self.bestLoss = bestLoss
        self.losses = losses
        self.metrics = metrics
    }

    public static func == (a: RunSummary, b: RunSummary) -> Bool {
        a.name == b.name && a.stepsDone == b.stepsDone && a.metrics == b.metrics && a.losses.map(\.step) == b.losses.map(\.step)
            && a.losses.map(\.loss) == b.losses.map(\.loss) && a.parameters == b.parameters
            && a.perType.map(\.label) == b.perType.map(\.label) && a.perType.map(\.accuracy) == b.perType.map(\.accuracy)
    }
}
