import CKernels
import Foundation

/// The precision of the engine's matrix products: Float32 (the default, and the one every
/// parity test holds to), or BF16 — both operands rounded to bfloat16 and the products
/// summed in Float32 (`CKernels/sbgemm.c`), the mixed precision of PyTorch's
/// `torch.autocast(dtype=torch.bfloat16)`. Weights, gradients, optimiser state and every
/// element-wise pass stay Float32 either way; only what a product reads is rounded.
///
/// The choice belongs to a thread, like PyTorch's autocast: `run(_:)` sets it for the calling
/// thread and for the pool's workers while they run that thread's jobs, so a trainer can take
/// its steps in BF16 while analysis elsewhere in the process stays Float32.
public enum ProductPrecision: String, Codable, CaseIterable, Sendable {
    case float32 = "fp32"
    case bfloat16 = "bf16"

    /// Whether this CPU runs the BF16 products (AVX-512 with BW and BF16: AMD Zen 4 and
    /// later, Intel Cooper Lake, Sapphire Rapids and later).
    public static let bfloat16Runs = wbdit_has_avx512_bf16()

    /// Why `precision` cannot run here, or nil when it can.
    public static func problem(running precision: ProductPrecision) -> String? {
        precision == .bfloat16 && !bfloat16Runs
            ? "BF16 products (--precision bf16) need a CPU with AVX-512 BF16 (AMD Zen 4 or later, Intel Sapphire Rapids or later); this one has none"
            : nil
    }

    /// The calling thread's precision (Float32 unless inside `run`).
    @inline(__always)
    public static var current: ProductPrecision {
        pthread_getspecific(key) == nil ? .float32 : .bfloat16
    }

    /// Runs `body` with this thread's products, and those its pool jobs hand to workers, at
    /// `precision`; the thread's previous precision is restored after. Allocates nothing.
    public static func run<Result>(_ precision: ProductPrecision, _ body: () throws -> Result) rethrows -> Result {
        precondition(problem(running: precision) == nil, "ProductPrecision.run: BF16 products on a CPU without AVX-512 BF16")
        let previous = current
        enter(precision)
        defer { enter(previous) }
        return try body()
    }

    /// Sets the calling thread's precision (`WorkerPool` hands the caller's to its workers).
    static func enter(_ precision: ProductPrecision) {
        pthread_setspecific(key, precision == .bfloat16 ? UnsafeRawPointer(bitPattern: 1) : nil)
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()
}
