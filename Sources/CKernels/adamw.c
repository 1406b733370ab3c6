// The AdamW update with AVX-512: the arithmetic of Kernels/AdamW.swift, 16 parameters at a
// time with a vector square root and division (Swift's SIMD square root runs per lane).
// The four streams (weights, gradients, both moments) do not fit in the cache together,
// and the hardware prefetcher alone keeps too few of their lines in flight: each is
// prefetched 4 KiB ahead (docs/benchmarks.md, "The kernels, shape by shape").
#include "CKernels.h"
#include <immintrin.h>

// No contraction: each multiply and add rounds as in the Swift loop it replaces.
#pragma STDC FP_CONTRACT OFF

// How far ahead of the update each stream is prefetched, in floats (a prefetch past the
// end of an array is harmless: it never faults).
enum { AHEAD = 1024 };

__attribute__((target("avx512f")))
void wbdit_adamw(float *p, const float *g, float *m, float *v, size_t start, size_t end,
                 float g_scale, float beta1, float beta2, float decay, float step_size, float correction2,
                 float epsilon) {
    const __m512 scale = _mm512_set1_ps(g_scale), one_minus_b1 = _mm512_set1_ps(1 - beta1);
    const __m512 b2 = _mm512_set1_ps(beta2), one_minus_b2 = _mm512_set1_ps(1 - beta2);
    const __m512 d = _mm512_set1_ps(decay), step = _mm512_set1_ps(step_size);
    const __m512 c2 = _mm512_set1_ps(correction2), eps = _mm512_set1_ps(epsilon);
    for (size_t i = start; i < end; i += 16) {
        _mm_prefetch((const char *)(p + i + AHEAD), _MM_HINT_T0);
        _mm_prefetch((const char *)(g + i + AHEAD), _MM_HINT_T0);
        _mm_prefetch((const char *)(m + i + AHEAD), _MM_HINT_T0);
        _mm_prefetch((const char *)(v + i + AHEAD), _MM_HINT_T0);
        const __mmask16 lanes = end - i >= 16 ? 0xffff : (__mmask16)((1u << (end - i)) - 1);
        __m512 gi = _mm512_maskz_loadu_ps(lanes, g + i);
        if (g_scale != 1) gi = _mm512_mul_ps(gi, scale);
        const __m512 mi = _mm512_maskz_loadu_ps(lanes, m + i), vi = _mm512_maskz_loadu_ps(lanes, v + i);
        const __m512 new_m = _mm512_add_ps(mi, _mm512_mul_ps(one_minus_b1, _mm512_sub_ps(gi, mi)));
        const __m512 new_v = _mm512_add_ps(_mm512_mul_ps(vi, b2), _mm512_mul_ps(_mm512_mul_ps(one_minus_b2, gi), gi));
        const __m512 decayed = _mm512_mul_ps(_mm512_maskz_loadu_ps(lanes, p + i), d);
        const __m512 denominator = _mm512_add_ps(_mm512_div_ps(_mm512_sqrt_ps(new_v), c2), eps);
        _mm512_mask_storeu_ps(m + i, lanes, new_m);
        _mm512_mask_storeu_ps(v + i, lanes, new_v);
        _mm512_mask_storeu_ps(p + i, lanes, _mm512_sub_ps(decayed, _mm512_div_ps(_mm512_mul_ps(step, new_m), denominator)));
    }
}
