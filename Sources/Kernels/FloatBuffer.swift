/// A mutable pointer to Float32 storage; the currency of every kernel.
public typealias FloatPointer = UnsafeMutablePointer<Float>
/// A read-only pointer to Float32 storage.
public typealias ConstFloatPointer = UnsafePointer<Float>

/// Float32 storage allocated once and freed with its owner.
///
/// Kernels take raw pointers; a `FloatBuffer` only owns memory. Buffers are
/// allocated when a network or workspace is built, never inside a training step.
public final class FloatBuffer {
    public let pointer: FloatPointer
    public let count: Int

    /// Allocates `count` floats, zero-filled, aligned to 64 bytes for SIMD loads.
    public init(count: Int) {
        precondition(count >= 0, "FloatBuffer: negative size")
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride,
                                                   alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    /// Allocates a buffer holding a copy of `values`.
    public convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }

    public var constPointer: ConstFloatPointer { ConstFloatPointer(pointer) }

    /// The contents as an array (for tests and file output, not for hot paths).
    public var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    /// Sets every element to zero.
    public func zero() { pointer.update(repeating: 0, count: count) }

    public subscript(index: Int) -> Float {
        get { pointer[index] }
        set { pointer[index] = newValue }
    }
}
