import Foundation
import Storage
import Networks

/// A run's `metrics.jsonl`: one JSON object per step and one per layer and readout,
/// appended as training goes, with the field names every reader uses (`RunHistory`, the
/// PyTorch trainer, pandas' `read_json(lines=True)`).
final class MetricsLog {
    /// One layer's readout: `{"step","layer","coding_rate","coding_rate_sd","sparsity"}`.
    struct ReadoutLine: Codable, Equatable {
        var step: Int
        var layer: Int
        var codingRate: Double
        var codingRateSD: Double
        var sparsity: Double

        enum CodingKeys: String, CodingKey {
            case step, layer, codingRate = "coding_rate", codingRateSD = "coding_rate_sd", sparsity
        }
    }

    let path: String
    private let handle: FileHandle
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys   // the same bytes for the same figures
        // A gradient norm can overflow to infinity on a finite loss; JSON has no number for it.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }()

    /// Opens the log for appending, creating it if need be.
    init(path: String) throws {
        self.path = path
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw TrainingError("cannot write \(path)") }
        try handle.seekToEnd()
        self.handle = handle
    }

    deinit { try? handle.close() }

    func append(_ r: StepReport) throws {
        try write([LoggedStep(r)])
    }

    func append(step: Int, _ layers: [LayerReadout]) throws {
        try write(layers.map { ReadoutLine(step: step, layer: $0.layer, codingRate: $0.codingRate, codingRateSD: $0.codingRateSD,
                                           sparsity: $0.sparsity) })
    }

    private func write<Line: Encodable>(_ lines: [Line]) throws {
        var data = Data()
        for line in lines {
            data.append(try encoder.encode(line))
            data.append(0x0A)
        }
        do { try handle.write(contentsOf: data) } catch {
            throw TrainingError("cannot write \(path): \(error.localizedDescription)")
        }
    }

    /// Each line of a log as a step or a readout; lines that are neither (cut short by a
    /// crash, or written by something else) are skipped.
    static func lines(of text: String) -> [(step: LoggedStep?, readout: ReadoutLine?)] {
        let decoder = JSONDecoder()
        return text.split(separator: "\n").compactMap { line in
            let data = Data(line.utf8)
            if let readout = try? decoder.decode(ReadoutLine.self, from: data) { return (nil, readout) }
            if let step = try? decoder.decode(LoggedStep.self, from: data) { return (step, nil) }
            return nil
        }
    }

    /// Keeps only the lines up to `step` (after resuming from a checkpoint older than the log).
    static func truncate(_ path: String, after step: Int) throws {
        guard let text = FileBytes.text(path) else { return }
        let kept = text.split(separator: "\n").filter { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let s = (object["step"] as? NSNumber)?.intValue else { return false }
            return s <= step
        }
        try AtomicFile.write(Data((kept.joined(separator: "\n") + (kept.isEmpty ? "" : "\n")).utf8), to: path)
    }
}
