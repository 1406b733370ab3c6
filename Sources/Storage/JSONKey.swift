/// A JSON object key known only at run time, for files whose keys are data: a
/// safetensors header's tensor names, the figures of a `report.json`.
public struct JSONKey: CodingKey {
    public let stringValue: String
    public init(_ name: String) { stringValue = name }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public var intValue: Int? { nil }
    public init?(intValue: Int) { nil }
}
