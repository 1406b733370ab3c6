// Hand-written AVX-512 kernels for what neither OpenBLAS nor the Swift compiler does well
// on this engine's shapes: products of a few dozen rows, the AdamW update (Swift's SIMD
// square root runs lane by lane) and the gradient's squared norm in Double. Each has a
// portable twin in Swift or BLAS, and Kernels/KernelChoice.swift picks between them. The
// BF16 product (training with --precision bf16) has none: Kernels/ProductPrecision.swift.
// Entry points: Kernels/Matmul.swift, Kernels/AdamW.swift, Kernels/VectorMath.swift;
// Tests/KernelsTests check each against its oracle.
#ifndef WBDIT_CKERNELS_H
#define WBDIT_CKERNELS_H

#include <stdbool.h>
#include <stddef.h>

// True when the CPU and the OS run AVX-512 F (CPUID leaf 7 and XGETBV).
bool wbdit_has_avx512(void);

// True when the CPU and the OS also run AVX-512 BW and BF16 (what wbdit_sbgemm needs).
bool wbdit_has_avx512_bf16(void);

// Row-major C[m, n] = alpha · op(A)[m, k] · op(B)[k, n] + beta · C, as cblas_sgemm with
// CblasRowMajor (beta == 0: C is not read). Single-threaded; needs wbdit_has_avx512().
void wbdit_sgemm(bool trans_a, bool trans_b, int m, int n, int k, float alpha,
                 const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);

// The same product with op(A) and op(B) rounded to bfloat16 (nearest even) and summed in
// Float32 (VDPBF16PS): each operand within 2^-9 of itself, relative. Needs wbdit_has_avx512_bf16().
void wbdit_sbgemm(bool trans_a, bool trans_b, int m, int n, int k, float alpha,
                  const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);

// The AdamW update over [start, end) of the flat parameter block, in the order of
// operations of Kernels/AdamW.swift (no fused multiply-adds): with g = gradient · g_scale,
//   m += (1 − β1)(g − m);  v = β2 v + (1 − β2) g g;  p = p · decay − (step · m) / (√v / c2 + ε).
// Needs wbdit_has_avx512(); start and end multiples of 16 except at the block's end.
void wbdit_adamw(float *parameters, const float *gradients, float *m, float *v, size_t start, size_t end,
                 float g_scale, float beta1, float beta2, float decay, float step_size, float correction2,
                 float epsilon);

// Σ x[i]² over [0, count), each square and the sum in Double, in eight lanes per register
// and four registers, combined in a fixed order. Needs wbdit_has_avx512().
double wbdit_sum_of_squares(const float *x, size_t count);

#endif
