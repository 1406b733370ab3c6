import Foundation

/// Prepared cells streamed from an `.h5ad` a block of rows at a time, for files larger than
/// memory. Opening makes two to four passes over the file to learn what the scanpy pipeline
/// of a `Preparation` needs — which cells and genes pass the filters, whether the matrix
/// holds counts, the highly variable genes, the per-gene scale — and after that any cells
/// can be read, prepared exactly as `CellLoader` prepares the whole file (the same
/// operations in the same order, so the values are equal bit for bit). Memory is bounded
/// by the block size and the number of cells asked for, not by the file.
public final class StreamedCells {
    public let path: String
    /// Source rows read per hyperslab.
    public let blockCells: Int
    /// Cells after the cell filter, and genes after every selection.
    public let cells: Int
    public let genes: Int
    public let geneNames: [String]?
    public let steps: [String]
    public let labels: [String]?
    /// The source rows of the kept cells, ascending.
    public let cellRows: [Int]
    public let geneScale: [Float]?

    private let file: AnnDataFile
    private let matrixName: String
    private let pipeline: RowPipeline

    public init(path: String, preparation: Preparation = Preparation(), labelsFrom column: String? = nil,
                blockCells: Int = 1024, progress: (String) -> Void = { _ in }) throws {
        guard blockCells >= 1 else { throw HDF5Error("the streaming block must hold at least 1 cell (got \(blockCells))") }
        self.path = path
        self.blockCells = blockCells
        let file = try AnnDataFile(path: path)
        let (matrixName, alternatives) = try file.matrix(named: preparation.source)
        guard try file.streamsRows(matrixName) else {
            throw HDF5Error("\(path): \(matrixName) is stored by gene (csc_matrix), so it cannot be streamed by cell; load it whole (--in-memory) or write it as csr_matrix")
        }
        let (sourceCells, sourceGenes) = try file.shape(of: matrixName)
        let reader = BlockReader(file: file, matrix: matrixName, cells: sourceCells, blockCells: blockCells)

        // Pass 1: values, the cell filter, the genes' cell counts, integers.
        var keptRows: [Int] = []
        var expressing = [Int](repeating: 0, count: sourceGenes)
        var fractional = [Bool](repeating: false, count: sourceGenes)
        var largest = [Float](repeating: 0, count: sourceGenes)
        try reader.forEachBlock(progress: { progress("checking cells \($0)") }) { first, block in
            try CellLoader.checkValues(block, firstCell: first, name: matrixName, path: path, alternatives: alternatives)
            for c in 0..<block.rows {
                let entries = block.pointers[c]..<block.pointers[c + 1]
                guard entries.count(where: { block.values[$0] != 0 }) >= preparation.minimumGenes else { continue }
                keptRows.append(first + c)
                for k in entries {
                    let (j, x) = (Int(block.indices[k]), block.values[k])
                    if x != 0 { expressing[j] += 1 }
                    if x != x.rounded() { fractional[j] = true }
                    largest[j] = max(largest[j], x)
                }
            }
        }
        var steps: [String] = []
        var pipeline = RowPipeline()
        var geneCount = sourceGenes
        var names = file.geneNames(of: matrixName, genes: sourceGenes)
        if preparation.minimumGenes > 0 { steps.append(preparation.filterCellsStep) }
        if preparation.minimumCells > 0 {
            let kept = (0..<sourceGenes).filter { expressing[$0] >= preparation.minimumCells }
            pipeline.keptGenes = kept
            names = names.map { all in kept.map { all[$0] } }
            geneCount = kept.count
            steps.append(preparation.filterGenesStep)
        }
        guard !keptRows.isEmpty, geneCount > 0 else {
            throw HDF5Error("\(path): no cells or no genes are left after filtering (\(keptRows.count) × \(geneCount))")
        }
        let keptGenes = pipeline.keptGenes ?? Array(0..<sourceGenes)
        let (whole, largestKept) = (!keptGenes.contains { fractional[$0] }, keptGenes.map { largest[$0] }.max() ?? 0)
        let counts = Preprocessing.isUnlogged(wholeNumbers: whole, largest: largestKept)
        if counts && !whole { steps.append(Preprocessing.unloggedStep(largest: largestKept)) }

        // Pass 2 (and 3): the highly variable genes.
        if preparation.flavor == .seuratV3, let topGenes = preparation.topGenes, topGenes < geneCount {
            guard counts else {
                throw HDF5Error("\(path): \(matrixName) is not raw counts, and the seurat_v3 flavour needs them (--source raw, or --flavor seurat)")
            }
            var sums = GeneSums(genes: geneCount)
            try reader.forEachBlock(rows: keptRows, progress: { progress("gene statistics \($0)") }) { block in
                sums.add(pipeline.apply(block)) { x, _ in Double(x) }
            }
            let trend = Preprocessing.SeuratV3Trend(sums)
            var clipped = GeneSums(genes: geneCount)
            try reader.forEachBlock(rows: keptRows, progress: { progress("clipped gene statistics \($0)") }) { block in
                clipped.add(pipeline.apply(block)) { x, j in trend.clip(x, gene: j) }
            }
            let selected = trend.select(clipped: clipped, count: topGenes)
            pipeline.v3Genes = selected
            names = names.map { all in selected.map { all[$0] } }
            geneCount = selected.count
            steps.append(preparation.highlyVariableStep(topGenes))
        }
        if counts {
            pipeline.targetSum = preparation.targetSum
            steps += preparation.normaliseSteps
        }
        if preparation.flavor == .seurat, let topGenes = preparation.topGenes, topGenes < geneCount {
            var sums = GeneSums(genes: geneCount)
            try reader.forEachBlock(rows: keptRows, progress: { progress("gene statistics \($0)") }) { block in
                sums.add(pipeline.apply(block)) { x, _ in Double(Foundation.expm1(x)) }
            }
            let selected = Preprocessing.highlyVariableGenes(expm1Sums: sums, count: topGenes)
            pipeline.seuratGenes = selected
            names = names.map { all in selected.map { all[$0] } }
            geneCount = selected.count
            steps.append(preparation.highlyVariableStep(topGenes))
        }
        // Last pass: the per-gene scale.
        if preparation.scaleGenes {
            var maxima = [Float](repeating: 0, count: geneCount)
            try reader.forEachBlock(rows: keptRows, progress: { progress("gene maxima \($0)") }) { block in
                let prepared = pipeline.apply(block)
                for (j, x) in zip(prepared.indices, prepared.values) { maxima[Int(j)] = max(maxima[Int(j)], x) }
            }
            pipeline.scale = Preprocessing.unitScale(maxima: maxima)
            steps.append(Preparation.scaleStep)
        }
        self.file = file
        self.matrixName = matrixName
        self.pipeline = pipeline
        self.steps = steps
        cells = keptRows.count
        genes = geneCount
        geneNames = names
        geneScale = pipeline.scale
        cellRows = keptRows
        labels = try column.map { column in
            let all = try file.labels(column)
            guard all.count == sourceCells else {
                throw HDF5Error("\(path): obs column \(column) has \(all.count) values, but \(matrixName) has \(sourceCells) cells")
            }
            return keptRows.map { all[$0] }
        }
    }

    /// Whether the file holds counts (they are normalised as they are read), so that cells
    /// have library sizes.
    public var holdsCounts: Bool { pipeline.targetSum != nil }

    /// The prepared cells `indices` (0 ..< cells), in that order, reading only the blocks
    /// that hold them.
    public func rows(_ indices: [Int]) throws -> CellMatrix { try read(indices, librarySizes: false).cells }

    /// The library sizes of cells `indices`, in that order (their counts summed over the
    /// genes normalised, as `CellLoader` sums them), or nil when the file holds no counts.
    public func librarySizes(_ indices: [Int]) throws -> [Float]? {
        holdsCounts ? try read(indices, librarySizes: true).librarySizes : nil
    }

    /// Wanted rows at most this far apart are read as one range.
    static let nearbyRows = 8

    private func read(_ indices: [Int], librarySizes: Bool) throws -> (cells: CellMatrix, librarySizes: [Float]) {
        var sizes = [Float](repeating: 0, count: librarySizes ? indices.count : 0)
        var values = [Float](repeating: 0, count: librarySizes ? 0 : indices.count * genes)
        let order = indices.indices.sorted { indices[$0] < indices[$1] }
        var k = 0
        while k < order.count {
            // A run of wanted cells whose source rows fit in one block, each within `nearbyRows`
            // of the last: the rows between are read and dropped, while cells far apart (a
            // scattered draw from a million) are read alone, costing only their own rows.
            let first = cellRows[indices[order[k]]]
            var end = k + 1
            while end < order.count, cellRows[indices[order[end]]] < first + blockCells,
                  cellRows[indices[order[end]]] - cellRows[indices[order[end - 1]]] <= Self.nearbyRows { end += 1 }
            let last = cellRows[indices[order[end - 1]]]
            let block = try file.sparseRows(first..<(last + 1), of: matrixName)
            let picked = block.rows(order[k..<end].map { cellRows[indices[$0]] - first })
            if librarySizes {
                for (row, size) in pipeline.librarySizes(picked).enumerated() { sizes[order[k + row]] = size }
            } else {
                let prepared = pipeline.apply(picked).densified()
                for (row, position) in order[k..<end].enumerated() {
                    values.replaceSubrange((position * genes)..<((position + 1) * genes),
                                           with: prepared.values[(row * genes)..<((row + 1) * genes)])
                }
            }
            k = end
        }
        return (CellMatrix(cells: librarySizes ? 0 : indices.count, genes: genes, values: values), sizes)
    }
}

/// The steps of a `Preparation` once its genes are chosen, applied to a block of source
/// rows in the order `CellLoader` applies them to the whole matrix, on the rows' non-zero
/// values (every step keeps a zero at zero): the same arithmetic in the same order, so the
/// values are the whole matrix's bit for bit.
struct RowPipeline: Sendable {
    var keptGenes: [Int]?
    var v3Genes: [Int]?
    /// normalize_total to this sum, then log1p (counts only).
    var targetSum: Double?
    var seuratGenes: [Int]?
    var scale: [Float]?

    /// Each row's counts summed over the genes normalize_total sees (the genes kept before
    /// it), as `CellLoader` sums the whole matrix.
    func librarySizes(_ block: SparseRows) -> [Float] {
        let (counted, _) = Self.columns(block.genes, [keptGenes, v3Genes])
        return (0..<block.rows).map { Float(Self.total(block, row: $0, counted)) }
    }

    /// The rows prepared, over the genes every selection keeps.
    func apply(_ block: SparseRows) -> SparseRows {
        let (counted, _) = Self.columns(block.genes, [keptGenes, v3Genes])
        let (kept, width) = Self.columns(block.genes, [keptGenes, v3Genes, seuratGenes])
        var (pointers, indices, values) = ([0], [Int32](), [Float]())
        indices.reserveCapacity(block.values.count)
        values.reserveCapacity(block.values.count)
        for r in 0..<block.rows {
            let total = targetSum == nil ? 0 : Self.total(block, row: r, counted)
            let factor = targetSum.map { Float($0 / total) }
            for k in block.pointers[r]..<block.pointers[r + 1] {
                let column = kept[Int(block.indices[k])]
                guard column >= 0 else { continue }
                var x = block.values[k]
                if let factor {
                    if total > 0 { x *= factor }
                    x = Foundation.log1p(x)
                }
                if let scale { x /= scale[Int(column)] }
                indices.append(column)
                values.append(x)
            }
            pointers.append(values.count)
        }
        return SparseRows(rows: block.rows, genes: width, pointers: pointers, indices: indices, values: values)
    }

    /// Row `r`'s sum over the genes `counted` keeps, in gene order as the dense sum runs.
    private static func total(_ block: SparseRows, row r: Int, _ counted: [Int32]) -> Double {
        var total = 0.0
        for k in block.pointers[r]..<block.pointers[r + 1] where counted[Int(block.indices[k])] >= 0 { total += Double(block.values[k]) }
        return total
    }

    /// Each source gene's column after `selections` in turn (−1 once one drops it), and the
    /// number of columns left. Selections list genes ascending, so columns stay in order.
    private static func columns(_ genes: Int, _ selections: [[Int]?]) -> (map: [Int32], width: Int) {
        var (map, width) = ((0..<genes).map(Int32.init), genes)
        for case let selection? in selections {
            var position = [Int32](repeating: -1, count: width)
            for (k, j) in selection.enumerated() { position[j] = Int32(k) }
            map = map.map { $0 < 0 ? -1 : position[Int($0)] }
            width = selection.count
        }
        return (map, width)
    }
}

/// Reads a matrix block by block, in row order.
struct BlockReader {
    let file: AnnDataFile
    let matrix: String
    let cells: Int
    let blockCells: Int

    /// Every source row, a block at a time: (first row, block).
    func forEachBlock(progress: (String) -> Void, _ body: (Int, SparseRows) throws -> Void) throws {
        for first in stride(from: 0, to: cells, by: blockCells) {
            try body(first, try file.sparseRows(first..<min(cells, first + blockCells), of: matrix))
            progress("\(min(cells, first + blockCells))/\(cells)")
        }
    }

    /// The given source rows only (ascending), a block at a time, in order.
    func forEachBlock(rows: [Int], progress: (String) -> Void, _ body: (SparseRows) throws -> Void) throws {
        var k = 0
        try forEachBlock(progress: progress) { first, block in
            let start = k
            while k < rows.count, rows[k] < first + block.rows { k += 1 }
            guard k > start else { return }
            try body(k - start == block.rows ? block : block.rows(rows[start..<k].map { $0 - first }))
        }
    }
}
