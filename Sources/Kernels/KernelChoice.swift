import CBLAS
import CKernels

/// Which implementation runs the engine's hot loops: the hand-written AVX-512 kernels
/// (`CKernels`: small-matrix sgemm, AdamW, the gradient's squared norm) or the portable
/// ones (OpenBLAS's sgemm, Swift loops). Both compute the same formulas; they round
/// differently only where a product's sum is ordered differently (within the parity
/// tests' tolerances). `wbdit bench --kernels` compares the two in one process.
public enum KernelChoice: String, CaseIterable, Sendable {
    case avx512, portable

    /// The choice in effect; set it before work starts.
    nonisolated(unsafe) public static var current: KernelChoice = standard

    /// The default: AVX-512 wherever the CPU runs it.
    public static var standard: KernelChoice { avx512Runs ? .avx512 : .portable }

    /// Whether this CPU runs the AVX-512 kernels (AVX-512 F, and an OS that saves its registers).
    public static let avx512Runs = wbdit_has_avx512()

    /// The kernel set OpenBLAS chose for this CPU (or was told to by OPENBLAS_CORETYPE).
    public static var openBLASCore: String { String(cString: openblas_get_corename()) }

    /// How wide a kernel set's vectors are.
    public enum VectorWidth: Sendable { case sse, avx2, avx512 }

    /// The width of OpenBLAS's kernel set. OpenBLAS 0.3.21 (Debian 12's) does not know
    /// every newer CPU, and one whose model a virtual machine hides gets its SSE3 kernels
    /// ("Prescott"), a third of the speed; `Matmul` then sends every product to our own
    /// kernel. Its AVX-512 set ("Cooperlake" on AMD Zen 4, say) is the faster at large
    /// products with a long depth.
    public static let openBLASWidth: VectorWidth = width(ofOpenBLASCore: openBLASCore)

    static func width(ofOpenBLASCore core: String) -> VectorWidth {
        switch core.lowercased() {
        case "skylakex", "cooperlake", "sapphirerapids": return .avx512
        case "haswell", "zen": return .avx2
        default: return .sse
        }
    }

    /// True when the AVX-512 kernels are chosen and can run.
    @inline(__always)
    static var usesAVX512: Bool { current == .avx512 && avx512Runs }
}
