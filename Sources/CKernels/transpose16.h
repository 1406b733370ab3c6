// A 16 × 16 transpose of 32-bit values in AVX-512 registers, shared by the kernels that
// pack a transposed operand (sgemm.c: Float32 values; sbgemm.c: pairs of bfloat16).
#ifndef WBDIT_TRANSPOSE16_H
#define WBDIT_TRANSPOSE16_H
#include <immintrin.h>

// r[i][q] ← r[q][i]: a 16 × 16 transpose in registers. Pairs of rows are interleaved
// within each 128-bit lane, then pairs of pairs, which leaves in lane L of u[4g + c] the
// column 4L + c of rows 4g…4g+3; the lanes are then gathered across the four groups.
static inline __attribute__((always_inline, target("avx512f"))) void transpose16(__m512 r[16]) {
    __m512 t[16], u[16];
    for (int i = 0; i < 8; i++) {
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int g = 0; g < 4; g++) {
        const __m512d even = _mm512_castps_pd(t[4 * g]), odd = _mm512_castps_pd(t[4 * g + 1]);
        const __m512d even2 = _mm512_castps_pd(t[4 * g + 2]), odd2 = _mm512_castps_pd(t[4 * g + 3]);
        u[4 * g] = _mm512_castpd_ps(_mm512_unpacklo_pd(even, even2));
        u[4 * g + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(even, even2));
        u[4 * g + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(odd, odd2));
        u[4 * g + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(odd, odd2));
    }
    for (int c = 0; c < 4; c++) {
        const __m512 low01 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0x44), high01 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0xEE);
        const __m512 low23 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0x44), high23 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0xEE);
        r[c] = _mm512_shuffle_f32x4(low01, low23, 0x88);
        r[4 + c] = _mm512_shuffle_f32x4(low01, low23, 0xDD);
        r[8 + c] = _mm512_shuffle_f32x4(high01, high23, 0x88);
        r[12 + c] = _mm512_shuffle_f32x4(high01, high23, 0xDD);
    }
}

#endif
