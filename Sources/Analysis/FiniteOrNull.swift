/// A figure in a JSON report. JSON has no NaN or infinity, so a figure that is not finite
/// (a metric undefined for these cells) is written as `null`, and `null` reads back as NaN.
@propertyWrapper
public struct FiniteOrNull: Codable, Equatable, Sendable {
    public var wrappedValue: Double

    public init(wrappedValue: Double) { self.wrappedValue = wrappedValue }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        wrappedValue = c.decodeNil() ? .nan : try c.decode(Double.self)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        if wrappedValue.isFinite { try c.encode(wrappedValue) } else { try c.encodeNil() }
    }
}
