// Does a BF16 product pay on this CPU? (issue 22, docs/benchmarks.md, "BF16 products")
// C[m, n] = op(A)[m, k] · op(B)[k, n], row-major, one thread, at the networks' shapes:
//   - fp32: our AVX-512 sgemm (Sources/CKernels/sgemm.c) and OpenBLAS's;
//   - bf16: our wbdit_sbgemm (Sources/CKernels/sbgemm.c), which rounds op(A) and op(B) to
//     bfloat16 as it packs them (the conversions a training step pays: both operands have
//     Float32 masters) and sums in Float32 with AVX-512 BF16's VDPBF16PS.
// The error is against a Double product, relative to the largest |C|.
// Build and run from the repository root (shapes as m n k [NN|NT|TN] arguments, or the
// default set):
//   clang -O2 -ISources/CKernels/include -I/usr/include/x86_64-linux-gnu/openblas-pthread \
//     benchmarks/bf16_gemm.c Sources/CKernels/sgemm.c Sources/CKernels/sbgemm.c Sources/CKernels/cpu.c \
//     -lopenblas -lm -o /tmp/bf16_gemm
//   /tmp/bf16_gemm
#include "CKernels.h"
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

typedef void (*Product)(bool, bool, int, int, int, float, const float *, int, const float *, int, float, float *, int);

static void openblas(bool ta, bool tb, int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb,
                     float beta, float *c, int ldc) {
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda,
                b, ldb, beta, c, ldc);
}

static double relative_error(const float *c, const float *a, const float *b, int m, int n, int k, bool ta, bool tb) {
    double worst = 0, largest = 0;
    for (int i = 0; i < m; i += 37)        // a sample of rows: the Double product is slow
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int q = 0; q < k; q++)
                s += (double)(ta ? a[(long)q * m + i] : a[(long)i * k + q]) * (tb ? b[(long)j * k + q] : b[(long)q * n + j]);
            worst = fmax(worst, fabs(s - c[(long)i * n + j]));
            largest = fmax(largest, fabs(s));
        }
    return worst / largest;
}

static void measure(int m, int n, int k, bool ta, bool tb) {
    float *a = malloc(4L * m * k), *b = malloc(4L * k * n), *c = malloc(4L * m * n);
    for (long i = 0; i < (long)m * k; i++) a[i] = (rand() % 2001) / 1000.0f - 1;
    for (long i = 0; i < (long)k * n; i++) b[i] = ((rand() % 2001) / 1000.0f - 1) / sqrtf(k);
    const int lda = ta ? m : k, ldb = tb ? k : n;
    const Product products[3] = {wbdit_sgemm, openblas, wbdit_sbgemm};
    const double flops = 2.0 * m * n * k;
    const int reps = (int)(4e9 / flops) + 1;
    double best[3] = {1e9, 1e9, 1e9}, error[3];
    for (int round = 0; round < 5; round++)
        for (int p = 0; p < 3; p++) {
            const double t = now();
            for (int r = 0; r < reps; r++) products[p](ta, tb, m, n, k, 1, a, lda, b, ldb, 0, c, n);
            best[p] = fmin(best[p], (now() - t) / reps);
            if (round == 0) error[p] = relative_error(c, a, b, m, n, k, ta, tb);
        }
    printf("%5d × %5d × %5d %c%c | %9.1f %9.1f | %9.1f | %8.2f× | %.1e %.1e %.1e\n", m, n, k, ta ? 'T' : 'N',
           tb ? 'T' : 'N', flops / best[0] / 1e9, flops / best[1] / 1e9, flops / best[2] / 1e9,
           fmin(best[0], best[1]) / best[2], error[0], error[1], error[2]);
    free(a); free(b); free(c);
}

int main(int argc, char **argv) {
    openblas_set_num_threads(1);
    if (!wbdit_has_avx512_bf16()) { puts("no AVX-512 BF16 here"); return 1; }
    puts("GFLOP/s, one thread, best of 5; bf16 includes rounding both operands; error relative to the largest |C|");
    puts("    m ×     n ×     k op | fp32 ours fp32 BLAS | bf16 ours | bf16 gain | err ours BLAS bf16");
    if (argc >= 4) {
        const char *ops = argc > 4 ? argv[4] : "NN";
        measure(atoi(argv[1]), atoi(argv[2]), atoi(argv[3]), ops[0] == 'T', ops[1] == 'T');
        return 0;
    }
    // The 768-wide steps (batch 16, 200 tokens): a linear layer forward (NT), its input
    // gradient (NN) and weight gradient (TN), the DiT's MLP in and out; then the recipe's
    // token-wise linear layer (80 rows, 256 wide) the same three ways.
    const struct { int m, n, k; const char *ops; } shapes[] = {
        {3200, 768, 768, "NT"}, {3200, 768, 768, "NN"}, {768, 768, 3200, "TN"},
        {3200, 3072, 768, "NT"}, {3200, 768, 3072, "NT"},
        {80, 256, 256, "NT"}, {80, 256, 256, "NN"}, {256, 256, 80, "TN"},
    };
    for (unsigned s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        measure(shapes[s].m, shapes[s].n, shapes[s].k, shapes[s].ops[0] == 'T', shapes[s].ops[1] == 'T');
    return 0;
}
