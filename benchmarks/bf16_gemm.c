// Does a BF16 product pay on this CPU? (issue 22, docs/benchmarks.md, "BF16, measured")
// C[m, n] = A[m, k] · B[k, n], row-major, one thread, at the 768-wide networks' shapes:
//   - fp32: our AVX-512 sgemm (Sources/CKernels/sgemm.c) and OpenBLAS's;
//   - bf16: A and B rounded to bfloat16 (round to nearest even), products summed in Float32
//     by AVX-512 BF16's VDPBF16PS, which does two multiply-adds per 32-bit lane. Timed twice:
//     with the conversions a training step would pay (A is an activation and B a weight,
//     both Float32 masters, so both are converted every step) and the kernel alone.
// The error is against a Double product, relative to the largest |C|.
// Build and run from the repository root:
//   clang -O2 -ISources/CKernels/include -I/usr/include/x86_64-linux-gnu/openblas-pthread \
//     benchmarks/bf16_gemm.c Sources/CKernels/sgemm.c Sources/CKernels/cpu.c -lopenblas -lm -o /tmp/bf16_gemm
//   /tmp/bf16_gemm
#include "CKernels.h"
#include <cblas.h>
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { ROWS = 8, COLUMNS = 32, DEPTH_BLOCK = 256 };

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

// Float32 → bfloat16, round to nearest even (finite inputs).
static uint16_t to_bf16(float x) {
    uint32_t bits;
    memcpy(&bits, &x, 4);
    bits += 0x7fff + ((bits >> 16) & 1);
    return (uint16_t)(bits >> 16);
}

// A [m, k] as bfloat16, row-major (k even).
__attribute__((target("avx512f,avx512bf16,avx512vl")))
static void convert_rows(const float *a, uint16_t *out, long count) {
    long i = 0;
    for (; i + 32 <= count; i += 32) {
        __m512bh pair = _mm512_cvtne2ps_pbh(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(a + i));
        _mm512_storeu_si512(out + i, (__m512i)pair);
    }
    for (; i < count; i++) out[i] = to_bf16(a[i]);
}

// B [k, n] packed in panels of 32 columns: for each pair of rows (2p, 2p + 1) and each
// column j, the two values side by side, so one 32-bit lane holds B[2p][j] and B[2p+1][j].
static void pack_columns(const float *b, int k, int n, uint16_t *out) {
    for (int panel = 0; panel < n / COLUMNS; panel++)
        for (int p = 0; p < k / 2; p++)
            for (int j = 0; j < COLUMNS; j++) {
                long o = (((long)panel * (k / 2) + p) * COLUMNS + j) * 2;
                out[o] = to_bf16(b[(long)(2 * p) * n + panel * COLUMNS + j]);
                out[o + 1] = to_bf16(b[(long)(2 * p + 1) * n + panel * COLUMNS + j]);
            }
}

// C[8 rows, 32 columns] += A[rows, depth pairs] · panel, 16 Float32 accumulators.
__attribute__((target("avx512f,avx512bf16,avx512vl")))
static void tile(const uint16_t *a, int lda, const uint16_t *panel, int pairs, float *c, int ldc) {
    __m512 acc[ROWS][2];
    for (int r = 0; r < ROWS; r++) {
        acc[r][0] = _mm512_loadu_ps(c + (long)r * ldc);
        acc[r][1] = _mm512_loadu_ps(c + (long)r * ldc + 16);
    }
    for (int p = 0; p < pairs; p++) {
        __m512bh b0 = (__m512bh)_mm512_loadu_si512(panel + p * 64);
        __m512bh b1 = (__m512bh)_mm512_loadu_si512(panel + p * 64 + 32);
        for (int r = 0; r < ROWS; r++) {
            int32_t two;
            memcpy(&two, a + (long)r * lda + 2 * p, 4);
            __m512bh av = (__m512bh)_mm512_set1_epi32(two);
            acc[r][0] = _mm512_dpbf16_ps(acc[r][0], av, b0);
            acc[r][1] = _mm512_dpbf16_ps(acc[r][1], av, b1);
        }
    }
    for (int r = 0; r < ROWS; r++) {
        _mm512_storeu_ps(c + (long)r * ldc, acc[r][0]);
        _mm512_storeu_ps(c + (long)r * ldc + 16, acc[r][1]);
    }
}

// C = A · B from converted A and packed B (m a multiple of 8, n of 32, k of 2).
static void bf16_gemm(const uint16_t *a, const uint16_t *packed, int m, int n, int k, float *c) {
    memset(c, 0, 4L * m * n);
    for (int d0 = 0; d0 < k; d0 += DEPTH_BLOCK) {
        int depth = k - d0 < DEPTH_BLOCK ? k - d0 : DEPTH_BLOCK;
        for (int panel = 0; panel < n / COLUMNS; panel++) {
            const uint16_t *block = packed + ((long)panel * (k / 2) + d0 / 2) * COLUMNS * 2;
            for (int i = 0; i < m; i += ROWS)
                tile(a + (long)i * k + d0, k, block, depth / 2, c + (long)i * n + panel * COLUMNS, n);
        }
    }
}

static double relative_error(const float *c, const float *a, const float *b, int m, int n, int k) {
    double worst = 0, largest = 0;
    for (int i = 0; i < m; i += 37)        // a sample of rows: the Double product is slow
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int q = 0; q < k; q++) s += (double)a[(long)i * k + q] * b[(long)q * n + j];
            worst = fmax(worst, fabs(s - c[(long)i * n + j]));
            largest = fmax(largest, fabs(s));
        }
    return worst / largest;
}

static void measure(int m, int n, int k) {
    float *a = malloc(4L * m * k), *b = malloc(4L * k * n), *c = malloc(4L * m * n);
    uint16_t *a16 = malloc(2L * m * k), *b16 = malloc(2L * k * n);
    for (long i = 0; i < (long)m * k; i++) a[i] = (rand() % 2001) / 1000.0f - 1;
    for (long i = 0; i < (long)k * n; i++) b[i] = ((rand() % 2001) / 1000.0f - 1) / sqrtf(k);
    double flops = 2.0 * m * n * k;
    int reps = (int)(4e9 / flops) + 1;
    double best[4] = {1e9, 1e9, 1e9, 1e9}, error[3];
    for (int round = 0; round < 5; round++) {
        double t = now();
        for (int r = 0; r < reps; r++) wbdit_sgemm(0, 0, m, n, k, 1, a, k, b, n, 0, c, n);
        best[0] = fmin(best[0], (now() - t) / reps);
        if (round == 0) error[0] = relative_error(c, a, b, m, n, k);
        t = now();
        for (int r = 0; r < reps; r++) cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1, a, k, b, n, 0, c, n);
        best[1] = fmin(best[1], (now() - t) / reps);
        if (round == 0) error[1] = relative_error(c, a, b, m, n, k);
        t = now();
        for (int r = 0; r < reps; r++) {
            convert_rows(a, a16, (long)m * k);
            pack_columns(b, k, n, b16);
            bf16_gemm(a16, b16, m, n, k, c);
        }
        best[2] = fmin(best[2], (now() - t) / reps);
        if (round == 0) error[2] = relative_error(c, a, b, m, n, k);
        t = now();
        for (int r = 0; r < reps; r++) bf16_gemm(a16, b16, m, n, k, c);
        best[3] = fmin(best[3], (now() - t) / reps);
    }
    printf("%5d × %5d × %5d | %9.1f %9.1f | %9.1f %9.1f | %8.2f× | %.1e %.1e %.1e\n", m, n, k, flops / best[0] / 1e9,
           flops / best[1] / 1e9, flops / best[2] / 1e9, flops / best[3] / 1e9, best[0] / best[2], error[0], error[1], error[2]);
    free(a); free(b); free(c); free(a16); free(b16);
}

int main(void) {
    openblas_set_num_threads(1);
    if (!wbdit_has_avx512()) { puts("no AVX-512 here"); return 1; }
    puts("GFLOP/s, one thread, best of 5; error relative to the largest |C|");
    puts("    m ×     n ×     k |  fp32 ours fp32 BLAS | bf16+conv bf16 kern | bf16 gain | err ours BLAS bf16");
    // The 768-wide white-box and DiT steps (batch 16, 200 tokens): linear layers, the DiT's
    // MLP in and out, and the small recipe's shape (80 rows, 256 wide).
    int shapes[][3] = {{3200, 768, 768}, {3200, 3072, 768}, {3200, 768, 3072}, {80, 256, 256}};
    for (unsigned s = 0; s < sizeof shapes / sizeof shapes[0]; s++) measure(shapes[s][0], shapes[s][1], shapes[s][2]);
    return 0;
}
