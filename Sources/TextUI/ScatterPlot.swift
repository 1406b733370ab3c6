/// A 2-D scatter of a map (t-SNE): real cells, optionally generated cells on the same
/// axes, each point coloured by a role (by source, or by label). Axes are scaled equally
/// so the map keeps its shape.
public struct ScatterPlot {
    public struct Layer {
        /// [n, 2] x, y.
        public var points: [Float]
        public var roles: [Role]
        public init(points: [Float], roles: [Role]) { self.points = points; self.roles = roles }
    }

    public var layers: [Layer]

    public init(layers: [Layer]) { self.layers = layers }

    /// Real cells in the `real` colour, generated ones in the `generated` colour, drawn last.
    public init(real: [Float], generated: [Float]?) {
        var layers = [Layer(points: real, roles: Array(repeating: .real, count: real.count / 2))]
        if let generated { layers.append(Layer(points: generated, roles: Array(repeating: .generated, count: generated.count / 2))) }
        self.layers = layers
    }

    public func draw(into grid: inout TextGrid, _ rect: Rect) {
        let all = layers.flatMap(\.points)
        guard rect.width >= 4, rect.height >= 2, all.count >= 2 else { return }
        var canvas = DotCanvas(columns: rect.width, rows: rect.height)
        let xs = stride(from: 0, to: all.count, by: 2).map { all[$0] }, ys = stride(from: 1, to: all.count, by: 2).map { all[$0] }
        let (minX, maxX, minY, maxY) = (xs.min()!, xs.max()!, ys.min()!, ys.max()!)
        // Equal scale on both axes: a character cell is about twice as tall as wide, and a
        // cell holds 2 × 4 dots, so dots are square.
        let scale = min(Float(canvas.dotWidth - 1) / max(maxX - minX, 1e-9), Float(canvas.dotHeight - 1) / max(maxY - minY, 1e-9))
        let offsetX = (Float(canvas.dotWidth - 1) - (maxX - minX) * scale) / 2
        let offsetY = (Float(canvas.dotHeight - 1) - (maxY - minY) * scale) / 2
        for layer in layers {
            for i in 0..<(layer.points.count / 2) {
                let x = Int((offsetX + (layer.points[2 * i] - minX) * scale).rounded())
                let y = Int((offsetY + (maxY - layer.points[2 * i + 1]) * scale).rounded())
                canvas.set(x, y, layer.roles[i])
            }
        }
        canvas.draw(into: &grid, x: rect.x, y: rect.y)
    }
}
