// What the Float32 and BF16 products (sgemm.c, sbgemm.c) share about C: it is computed in
// panels of 32 columns (two 16-float registers, masked past the right edge) and tiles of
// up to 8 rows, each row stored as alpha · its sums + beta · C, and a product over no k
// leaves C = beta · C, as BLAS does.
#ifndef WBDIT_TILES_H
#define WBDIT_TILES_H
#include <immintrin.h>

enum { PANEL = 32, ROWS = 8 };

// The masks of a panel `width` columns wide (1 to 32): its first 16 columns, its last 16.
static inline __mmask16 panel_low_mask(int width) {
    return width >= 16 ? 0xffff : (__mmask16)((1u << width) - 1);
}
static inline __mmask16 panel_high_mask(int width) {
    return width <= 16 ? 0 : width == 32 ? 0xffff : (__mmask16)((1u << (width - 16)) - 1);
}

// TILE(i, R) for every tile of m rows: i its first row and R its row count, a constant in
// each expansion so that the tile's accumulators stay in registers.
#define FOR_EACH_ROW_TILE(m, TILE)                      \
    do {                                                \
        int i_ = 0;                                     \
        for (; i_ + ROWS <= (m); i_ += ROWS) TILE(i_, ROWS); \
        switch ((m) - i_) {                             \
            case 7: TILE(i_, 7); break;                 \
            case 6: TILE(i_, 6); break;                 \
            case 5: TILE(i_, 5); break;                 \
            case 4: TILE(i_, 4); break;                 \
            case 3: TILE(i_, 3); break;                 \
            case 2: TILE(i_, 2); break;                 \
            case 1: TILE(i_, 1); break;                 \
            default: break;                             \
        }                                               \
    } while (0)

// One row of a tile, its accumulators lo (columns 0–15) and hi (16–31), into C:
// C = alpha · acc + beta · C over the panel's columns (beta 0: C is not read).
static inline __attribute__((always_inline, target("avx512f")))
void store_tile_row(__m512 lo, __m512 hi, float alpha, float beta, __mmask16 low, __mmask16 high, float *c) {
    const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    __m512 r0 = _mm512_mul_ps(lo, va), r1 = _mm512_mul_ps(hi, va);
    if (beta != 0) {
        r0 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(low, c), r0);
        r1 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(high, c + 16), r1);
    }
    _mm512_mask_storeu_ps(c, low, r0);
    _mm512_mask_storeu_ps(c + 16, high, r1);
}

// C = beta · C over m × n (beta 0: C is not read).
static inline void scale_by_beta(int m, int n, float beta, float *c, int ldc) {
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) c[(long)i * ldc + j] = beta == 0 ? 0 : beta * c[(long)i * ldc + j];
}

#endif
