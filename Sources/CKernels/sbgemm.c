// A BF16 sgemm for AVX-512 BF16: C = alpha · op(A) · op(B) + beta · C, row-major, with
// op(A) and op(B) rounded to bfloat16 (to nearest even) and every product summed in Float32.
// The operands stay Float32 in memory (activations and master weights); each product rounds
// what it reads, so a caller changes nothing but the function it calls.
//
// VDPBF16PS multiplies pairs of bfloat16 held in one 32-bit lane and adds both products to
// a Float32 lane: two multiply-adds a lane, at the rate of a Float32 FMA on CPUs that run
// it at full width (AMD Zen 4 and 5; on the Intel Xeon measured it runs at half, and gains
// nothing). So both operands are packed as pairs along k:
//   - op(A), a block of up to 128 rows × 512 of k, as lanes (row, pair), once per block;
//   - op(B), panels of 32 columns × 512 of k, as lanes [pair][column], once per block of k,
//     so that a tile of 8 rows × 32 columns reads two registers of B a pair and broadcasts
//     one lane of A a row, as the Float32 kernel (sgemm.c) does a value of k.
// op(A)'s block and a panel of B live on the stack (160 KiB). When op(A) has more rows than
// one block, the whole block of B is packed once into a scratch each thread keeps (grown
// on first need: 3 MiB for the DiT's widest weight), not once per row block; a training
// step allocates only in its first step. k odd pads the last pair with a zero; rows and
// columns past the edges are masked on C.
#include "CKernels.h"
#include "tiles.h"
#include "transpose16.h"
#include <immintrin.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

enum { DEPTH = 512, PAIRS = DEPTH / 2, ROW_BLOCK = 128, AHEAD = 16 };

#define BF16 __attribute__((target("avx512f,avx512bw,avx512bf16")))
#define INLINE static inline __attribute__((always_inline))

// The first `count` values from p (zeros past them, or everywhere when p is NULL).
INLINE BF16 __m512 load16(const float *p, int count) {
    if (p == NULL || count <= 0) return _mm512_setzero_ps();
    return _mm512_maskz_loadu_ps(count >= 16 ? 0xffff : (__mmask16)((1u << count) - 1), p);
}

// lanes[t] = (x[2t], x[2t + 1]) as bfloat16, for the `count` values of one row of k (count
// ≤ DEPTH; lanes up to the next multiple of 16 are written, zeros past the row).
INLINE BF16 void pair_along(const float *x, int count, uint32_t *lanes) {
    for (int t = 0; t < count; t += 32) {
        const __m512bh pair = _mm512_cvtne2ps_pbh(load16(x + t + 16, count - t - 16), load16(x + t, count - t));
        _mm512_storeu_si512(lanes + t / 2, (__m512i)pair);
    }
}

// lanes[i] = (even[i], odd[i]) as bfloat16 for i < count (a pair of rows of k; odd NULL past
// an odd k's end), up to the next multiple of 16 lanes, zeros past `count`.
INLINE BF16 void pair_across(const float *even, const float *odd, int count, uint32_t *lanes) {
    // The converted rows sit side by side (even's 16 values, then odd's); interleave them.
    const __m512i interleave = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8,
                                                23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    for (int i = 0; i < count; i += 16) {
        const __m512bh both = _mm512_cvtne2ps_pbh(load16(odd ? odd + i : NULL, count - i), load16(even + i, count - i));
        _mm512_storeu_si512(lanes + i, _mm512_permutexvar_epi16(interleave, (__m512i)both));
    }
}

// op(A)'s rows [0, rows) over k [0, depth) of this block, as lanes: lane (r, q) at
// lanes[r · row_step + q · pair_step].
BF16 static void pack_a(bool trans_a, const float *a, long lda, int rows, int depth, uint32_t *lanes,
                        int *row_step, int *pair_step) {
    if (!trans_a) {     // op(A)(r, p) = a[r · lda + p]: each row's pairs are adjacent values
        *row_step = PAIRS, *pair_step = 1;
        for (int r = 0; r < rows; r++) pair_along(a + r * lda, depth, lanes + r * PAIRS);
    } else {            // op(A)(r, p) = a[p · lda + r]: pair the rows 2q and 2q + 1 of A
        *row_step = 1, *pair_step = ROW_BLOCK;
        for (int p = 0; p < depth; p += 2)
            pair_across(a + p * lda, p + 1 < depth ? a + (p + 1) * lda : NULL, rows, lanes + (p / 2) * ROW_BLOCK);
    }
}

// op(B)'s columns [0, width) over k [0, depth) as lanes [pair][PANEL] (zeros past width).
// B is usually a weight, which the optimiser's pass has pushed out of cache since the last
// step: B's rows are prefetched AHEAD rows ahead, and a transposed B's next panel (`ahead`
// more rows of it follow this panel's) as this one is packed, as sgemm.c does.
BF16 static void pack_b(bool trans_b, const float *b, long ldb, int width, int ahead, int depth, uint32_t *lanes) {
    if (!trans_b) {     // op(B)(p, j) = b[p · ldb + j]: pair the rows 2q and 2q + 1 of B
        for (int p = 0; p < depth; p += 2) {
            if (p + AHEAD < depth) {
                _mm_prefetch((const char *)(b + (p + AHEAD) * ldb), _MM_HINT_T0);
                _mm_prefetch((const char *)(b + (p + AHEAD + 1) * ldb), _MM_HINT_T0);
            }
            pair_across(b + p * ldb, p + 1 < depth ? b + (p + 1) * ldb : NULL, width, lanes + (p / 2) * PANEL);
        }
        return;
    }
    // op(B)(p, j) = b[j · ldb + p]: B's row j holds column j's pairs side by side. Pair 16
    // rows at a time, 16 pairs of each, and transpose the 16 × 16 lanes in registers.
    for (int jj = 0; jj < PANEL; jj += 16)
        for (int q = 0; q < (depth + 1) / 2; q += 16) {
            __m512 r[16];
            for (int i = 0; i < 16; i++) {
                const int p = 2 * q, count = jj + i < width ? depth - p : 0;
                const float *row = b + (jj + i) * ldb + p;
                if (jj + i < ahead) {
                    _mm_prefetch((const char *)(row + PANEL * ldb), _MM_HINT_T0);
                    _mm_prefetch((const char *)(row + PANEL * ldb + 16), _MM_HINT_T0);
                }
                r[i] = count <= 0 ? _mm512_setzero_ps()
                                  : _mm512_castsi512_ps((__m512i)_mm512_cvtne2ps_pbh(load16(row + 16, count - 16), load16(row, count)));
            }
            transpose16(r);
            for (int i = 0; i < 16; i++) _mm512_storeu_ps((float *)(lanes + (q + i) * PANEL + jj), r[i]);
        }
}

// The panel of op(B) [n columns] from column j, over k [p, p + depth), as pack_b lays it out.
BF16 static void pack_panel_of_b(bool trans_b, const float *b, long ldb, int n, int j, int p, int depth, uint32_t *lanes) {
    const int width = n - j < PANEL ? n - j : PANEL;
    pack_b(trans_b, trans_b ? b + j * ldb + p : b + p * ldb + j, ldb, width, n - j - width, depth, lanes);
}

// This thread's scratch of at least `lanes` lanes, grown when a product first needs more
// and kept until the thread ends, so that a training step allocates only in its first step;
// NULL when it cannot be had. It is a thread-specific value freed by its key's destructor.
typedef struct { size_t lanes; uint32_t values[] __attribute__((aligned(64))); } Scratch;

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static void make_scratch_key(void) { pthread_key_create(&scratch_key, free); }

static uint32_t *scratch(size_t lanes) {
    pthread_once(&scratch_once, make_scratch_key);
    Scratch *held = pthread_getspecific(scratch_key);
    if (held == NULL || held->lanes < lanes) {
        free(held);
        held = aligned_alloc(64, (sizeof(Scratch) + lanes * sizeof(uint32_t) + 63) / 64 * 64);
        if (held != NULL) held->lanes = lanes;
        pthread_setspecific(scratch_key, held);
    }
    return held != NULL ? held->values : NULL;
}

// One tile: rows × (up to) 32 columns of C over `pairs` pairs of k.
INLINE BF16 void tile(const int rows, int pairs, const uint32_t *a, int row_step, int pair_step, const uint32_t *b,
                      __mmask16 low, __mmask16 high, float alpha, float beta, float *c, long ldc) {
    __m512 lo[ROWS], hi[ROWS];
    for (int i = 0; i < rows; i++) { lo[i] = _mm512_setzero_ps(); hi[i] = _mm512_setzero_ps(); }
    for (int q = 0; q < pairs; q++) {
        const __m512bh b0 = (__m512bh)_mm512_loadu_si512(b + q * PANEL), b1 = (__m512bh)_mm512_loadu_si512(b + q * PANEL + 16);
        const uint32_t *aq = a + q * pair_step;
        for (int i = 0; i < rows; i++) {
            const __m512bh x = (__m512bh)_mm512_set1_epi32((int)aq[i * row_step]);
            lo[i] = _mm512_dpbf16_ps(lo[i], x, b0);
            hi[i] = _mm512_dpbf16_ps(hi[i], x, b1);
        }
    }
    for (int i = 0; i < rows; i++) store_tile_row(lo[i], hi[i], alpha, beta, low, high, c + i * ldc);
}

// Every row tile of one panel.
#define TILE(i, R) tile(R, pairs, a + (i) * row_step, row_step, pair_step, b, low, high, alpha, beta, c + (i) * ldc, ldc)

BF16 static void panel(int m, int pairs, const uint32_t *a, int row_step, int pair_step, const uint32_t *b,
                       __mmask16 low, __mmask16 high, float alpha, float beta, float *c, long ldc) {
    FOR_EACH_ROW_TILE(m, TILE);
}

BF16 void wbdit_sbgemm(bool trans_a, bool trans_b, int m, int n, int k, float alpha,
                       const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc) {
    if (k == 0) {   // C = beta · C, as BLAS
        scale_by_beta(m, n, beta, c, ldc);
        return;
    }
    uint32_t a_lanes[ROW_BLOCK * PAIRS] __attribute__((aligned(64)));
    uint32_t b_lanes[PAIRS * PANEL] __attribute__((aligned(64)));
    const int panels = (n + PANEL - 1) / PANEL;
    // With several row blocks, op(B)'s whole depth block is packed once, into this thread's
    // scratch; with one (or if the scratch cannot be had) each panel is packed on the stack
    // just before it is used.
    uint32_t *whole_b = m > ROW_BLOCK ? scratch((size_t)panels * PAIRS * PANEL) : NULL;
    for (int p = 0; p < k; p += DEPTH) {
        const int depth = k - p < DEPTH ? k - p : DEPTH, pairs = (depth + 1) / 2;
        // Later blocks of k add to what the first wrote.
        const float block_beta = p == 0 ? beta : 1;
        for (int j = 0; whole_b != NULL && j < n; j += PANEL)
            pack_panel_of_b(trans_b, b, ldb, n, j, p, depth, whole_b + (long)(j / PANEL) * PAIRS * PANEL);
        for (int i = 0; i < m; i += ROW_BLOCK) {
            const int rows = m - i < ROW_BLOCK ? m - i : ROW_BLOCK;
            int row_step, pair_step;
            pack_a(trans_a, trans_a ? a + (long)p * lda + i : a + (long)i * lda + p, lda, rows, depth, a_lanes,
                   &row_step, &pair_step);
            for (int j = 0; j < n; j += PANEL) {
                const int width = n - j < PANEL ? n - j : PANEL;
                const __mmask16 low = panel_low_mask(width), high = panel_high_mask(width);
                const uint32_t *lanes = whole_b != NULL ? whole_b + (long)(j / PANEL) * PAIRS * PANEL : b_lanes;
                if (whole_b == NULL) pack_panel_of_b(trans_b, b, ldb, n, j, p, depth, b_lanes);
                panel(rows, pairs, a_lanes, row_step, pair_step, lanes, low, high, alpha, block_beta,
                      c + (long)i * ldc + j, ldc);
            }
        }
    }
}
