// The FMA ceiling: T threads, each running 12 independent chains of 512-bit fused
// multiply-adds held in registers (nothing read from memory), in GFLOP/s (docs/benchmarks.md,
// "The kernels, shape by shape"). Build and run from the repository root:
//   clang -O3 -march=native -pthread benchmarks/fma_peak.c -o /tmp/fma_peak
//   /tmp/fma_peak 1; /tmp/fma_peak 2
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { CHAINS = 12 };
static const long ITERATIONS = 200000000;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

__attribute__((target("avx512f"))) static void *chains(void *out) {
    __m512 acc[CHAINS];
    const __m512 b = _mm512_set1_ps(1.0000001f), c = _mm512_set1_ps(1e-7f);
    for (int i = 0; i < CHAINS; i++) acc[i] = _mm512_set1_ps((float)i);
    for (long k = 0; k < ITERATIONS; k++)
        for (int i = 0; i < CHAINS; i++) acc[i] = _mm512_fmadd_ps(acc[i], b, c);
    float sum = 0;   // kept, so the loop is not optimised away
    for (int i = 0; i < CHAINS; i++) sum += acc[i][0];
    *(float *)out = sum;
    return NULL;
}

int main(int argc, char **argv) {
    const int threads = argc > 1 ? atoi(argv[1]) : 1;
    if (threads < 1 || threads > 64) { fprintf(stderr, "usage: fma_peak THREADS (1-64)\n"); return 2; }
    pthread_t pool[64];
    float sums[64];
    const double start = now();
    for (int t = 0; t < threads; t++) pthread_create(&pool[t], NULL, chains, &sums[t]);
    for (int t = 0; t < threads; t++) pthread_join(pool[t], NULL);
    const double seconds = now() - start;
    // 16 lanes × 2 flops (a multiply and an add) per FMA.
    printf("%d threads: %.1f GFLOP/s\n", threads, threads * (double)ITERATIONS * CHAINS * 32 / seconds / 1e9);
    return 0;
}
