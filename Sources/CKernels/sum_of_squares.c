// The squared L2 norm of a Float32 run, accumulated in Double (gradient-norm clipping).
#include "CKernels.h"
#include <immintrin.h>

__attribute__((target("avx512f")))
double wbdit_sum_of_squares(const float *x, size_t count) {
    __m512d acc[4] = {_mm512_setzero_pd(), _mm512_setzero_pd(), _mm512_setzero_pd(), _mm512_setzero_pd()};
    size_t i = 0;
    for (; i + 32 <= count; i += 32) {
        _mm_prefetch((const char *)(x + i + 1024), _MM_HINT_T0);   // as in adamw.c
        _mm_prefetch((const char *)(x + i + 1040), _MM_HINT_T0);
        for (int r = 0; r < 4; r++) {
            const __m512d v = _mm512_cvtps_pd(_mm256_loadu_ps(x + i + 8 * r));
            acc[r] = _mm512_fmadd_pd(v, v, acc[r]);
        }
    }
    for (; i + 8 <= count; i += 8) {
        const __m512d v = _mm512_cvtps_pd(_mm256_loadu_ps(x + i));
        acc[0] = _mm512_fmadd_pd(v, v, acc[0]);
    }
    const __m512d total = _mm512_add_pd(_mm512_add_pd(acc[0], acc[1]), _mm512_add_pd(acc[2], acc[3]));
    double sum = _mm512_reduce_add_pd(total);
    for (; i < count; i++) sum += (double)x[i] * (double)x[i];
    return sum;
}
