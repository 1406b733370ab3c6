// A small-matrix sgemm for AVX-512: C = alpha · op(A) · op(B) + beta · C, row-major.
//
// The output is computed in panels of 32 columns (two 16-float registers) and tiles of up
// to 8 rows: 16 accumulators, each step of k one load of the panel's row of op(B), one
// broadcast per row of op(A) and 16 fused multiply-adds. op(B)'s rows are contiguous when
// B is not transposed (read in place); a transposed B is packed, 256 values of k at a
// time, into a panel on the stack, transposing 16 × 16 blocks in registers. Nothing is
// allocated; products of a few dozen rows, where OpenBLAS's packing and call costs
// dominate, run at the FMA units' pace.
//
// At the recipe's shapes the weights do not stay in cache from one step to the next (the
// optimiser streams every parameter and both moments in between), so each product's first
// pass over B waits on memory: the first tile of a panel read in place prefetches the row
// of B AHEAD steps of k ahead, and packing one panel prefetches the next panel's rows.
#include "CKernels.h"
#include "tiles.h"
#include "transpose16.h"
#include <immintrin.h>

enum { DEPTH = 256, AHEAD = 8 };

#define AVX512 __attribute__((target("avx512f")))
#define INLINE static inline __attribute__((always_inline))

// One tile: rows × (up to) 32 columns of C, over `depth` values of k.
// op(A)(i, p) = a[i·row_stride + p·depth_stride]; op(B)'s row p = b + p·b_stride.
INLINE AVX512 void tile(const int rows, int depth, const float *a, long row_stride, long depth_stride,
                        const float *b, long b_stride, bool fetch_ahead, __mmask16 low, __mmask16 high,
                        float alpha, float beta, float *c, long ldc) {
    __m512 lo[ROWS], hi[ROWS];
    for (int i = 0; i < rows; i++) { lo[i] = _mm512_setzero_ps(); hi[i] = _mm512_setzero_ps(); }
    for (int p = 0; p < depth; p++) {
        const float *row = b + p * b_stride;
        if (fetch_ahead) {
            _mm_prefetch((const char *)(row + AHEAD * b_stride), _MM_HINT_T0);
            _mm_prefetch((const char *)(row + AHEAD * b_stride + 16), _MM_HINT_T0);
        }
        __m512 b0 = _mm512_maskz_loadu_ps(low, row), b1 = _mm512_maskz_loadu_ps(high, row + 16);
        const float *ap = a + p * depth_stride;
        for (int i = 0; i < rows; i++) {
            __m512 x = _mm512_set1_ps(ap[i * row_stride]);
            lo[i] = _mm512_fmadd_ps(x, b0, lo[i]);
            hi[i] = _mm512_fmadd_ps(x, b1, hi[i]);
        }
    }
    for (int i = 0; i < rows; i++) store_tile_row(lo[i], hi[i], alpha, beta, low, high, c + i * ldc);
}

// Every row tile of one panel.
#define TILE(i, R) tile(R, depth, a + (i) * rs, rs, ks, b, b_stride, fetch_ahead && (i) == 0, low, high, alpha, beta, c + (i) * (long)ldc, ldc)

AVX512 static void panel(int m, int depth, const float *a, long rs, long ks, const float *b, long b_stride,
                         bool fetch_ahead, __mmask16 low, __mmask16 high, float alpha, float beta, float *c, int ldc) {
    FOR_EACH_ROW_TILE(m, TILE);
}

// op(B)(q, jj) = B[jj, q] for one panel: packed[q · PANEL + jj] ← b[jj · ldb + q] for
// jj < width, q < depth, in 16 × 16 blocks transposed in registers (lanes past `width`
// are written as zeros; the panel's masks never read them). `ahead` is how many rows of B
// follow this panel's: that many of the next panel's rows are prefetched as it packs.
AVX512 static void pack_transposed(const float *b, long ldb, int width, int ahead, int depth, float *packed) {
    for (int jj = 0; jj < width; jj += 16) {
        const int rows = width - jj < 16 ? width - jj : 16;
        for (int q = 0; q < depth; q += 16) {
            const int columns = depth - q < 16 ? depth - q : 16;
            const __mmask16 valid = columns == 16 ? 0xffff : (__mmask16)((1u << columns) - 1);
            __m512 r[16];
            for (int i = 0; i < 16; i++) {
                if (jj + i < ahead) _mm_prefetch((const char *)(b + (long)(jj + i + PANEL) * ldb + q), _MM_HINT_T0);
                r[i] = i < rows ? _mm512_maskz_loadu_ps(valid, b + (long)(jj + i) * ldb + q) : _mm512_setzero_ps();
            }
            transpose16(r);
            for (int i = 0; i < columns; i++) _mm512_store_ps(packed + (q + i) * PANEL + jj, r[i]);
        }
    }
}

AVX512 void wbdit_sgemm(bool trans_a, bool trans_b, int m, int n, int k, float alpha,
                        const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc) {
    // op(A)(i, p): A[i, p] as stored, or A[p, i] when transposed.
    const long rs = trans_a ? 1 : lda, ks = trans_a ? lda : 1;
    if (k == 0) {   // C = beta · C, as BLAS
        scale_by_beta(m, n, beta, c, ldc);
        return;
    }
    float packed[DEPTH * PANEL] __attribute__((aligned(64)));
    for (int j = 0; j < n; j += PANEL) {
        const int width = n - j < PANEL ? n - j : PANEL;
        const __mmask16 low = panel_low_mask(width), high = panel_high_mask(width);
        for (int p = 0; p < k; p += DEPTH) {
            const int depth = k - p < DEPTH ? k - p : DEPTH;
            const float *block_a = a + p * ks;
            // Later blocks of k add to what the first wrote.
            const float block_beta = p == 0 ? beta : 1;
            if (!trans_b) {
                panel(m, depth, block_a, rs, ks, b + (long)p * ldb + j, ldb, true, low, high, alpha, block_beta, c + j, ldc);
            } else {
                pack_transposed(b + (long)j * ldb + p, ldb, width, n - j - width, depth, packed);
                panel(m, depth, block_a, rs, ks, packed, PANEL, false, low, high, alpha, block_beta, c + j, ldc);
            }
        }
    }
}
