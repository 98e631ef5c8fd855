// Hand-written AVX2/FMA kernels (see cpu_avx2.hpp). Register-blocked GEMM: an MR x 16 tile of C
// lives in 2*MR ymm registers while k runs; each step loads one row of B (two vectors) and
// broadcasts MR values of A. K is cut into blocks of kKc so the B rows of a block stay in L1
// (a 512-byte row stride maps a B column panel to 8 of L1's 64 sets: 64 rows fit).
#include "cpu_avx2.hpp"

#include <immintrin.h>

#include <cstdint>
#include <cstdlib>

// Everything below is compiled for AVX2+FMA; callers check available() first. No standard
// library template is instantiated below this line, so no AVX2 copy of one can leak out.
#if defined(__clang__)
// clang ignores GCC's target pragma; its own attribute pragma does the same job (the fuzz
// targets build the library with clang).
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif

namespace keras::kernels::avx2 {
namespace {

constexpr int64_t kKc = 64;  // K block
constexpr int kMr = 4;       // tile rows

#define KERASCPP_INLINE inline __attribute__((always_inline))

KERASCPP_INLINE __m256i tail_mask(int64_t n) {  // lanes [0, n) set, 0 < n <= 8
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), lanes);
}

// Vector v of a 16-wide row: the second vector of a masked tile uses the mask.
template <int NV, bool MASKED>
KERASCPP_INLINE __m256 load_row(const float* p, int v, __m256i mask) {
  if (MASKED && v == NV - 1) return _mm256_maskload_ps(p + 8 * v, mask);
  return _mm256_loadu_ps(p + 8 * v);
}
template <int NV, bool MASKED>
KERASCPP_INLINE void store_row(float* p, int v, __m256 x, __m256i mask) {
  if (MASKED && v == NV - 1)
    _mm256_maskstore_ps(p + 8 * v, mask, x);
  else
    _mm256_storeu_ps(p + 8 * v, x);
}

// One MR x (8*NV) tile of C over K terms; row r of the tile is A's row arow[r] and C's crow[r].
// KIDX: term k is column kidx[k] of A and row kidx[k] of B.
template <int MR, int NV, bool MASKED, bool KIDX>
KERASCPP_INLINE void tile(int64_t K, const float* const* arow, int64_t cs, const int32_t* kidx,
                          const float* b, int64_t ldb, float* const* crow, __m256i mask,
                          const float* bias, bool load_c, bool relu) {
  __m256 acc[MR][NV];
  if (load_c) {
    for (int r = 0; r < MR; ++r)
      for (int v = 0; v < NV; ++v) acc[r][v] = load_row<NV, MASKED>(crow[r], v, mask);
  } else {
    for (int v = 0; v < NV; ++v) {
      const __m256 init = bias ? load_row<NV, MASKED>(bias, v, mask) : _mm256_setzero_ps();
      for (int r = 0; r < MR; ++r) acc[r][v] = init;
    }
  }
  const float* ar[MR];
  for (int r = 0; r < MR; ++r) ar[r] = arow[r];
  for (int64_t k = 0; k < K; ++k) {
    const int64_t kk = KIDX ? kidx[k] : k;
    __m256 bv[NV];
    for (int v = 0; v < NV; ++v) {
      bv[v] = load_row<NV, MASKED>(b + kk * ldb, v, mask);
      // Keep B in a register: otherwise GCC folds the load into every FMA (MR loads per vector).
      __asm__("" : "+x"(bv[v]));
    }
    for (int r = 0; r < MR; ++r) {
      const __m256 av = _mm256_broadcast_ss(ar[r] + kk * cs);
      for (int v = 0; v < NV; ++v) acc[r][v] = _mm256_fmadd_ps(av, bv[v], acc[r][v]);
    }
  }
  if (relu) {
    const __m256 zero = _mm256_setzero_ps();
    for (int r = 0; r < MR; ++r)
      for (int v = 0; v < NV; ++v) acc[r][v] = _mm256_max_ps(acc[r][v], zero);
  }
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v) store_row<NV, MASKED>(crow[r], v, acc[r][v], mask);
}

// Rows [r0, r1) of one column block, in tiles of kMr rows and one shorter tile.
template <int NV, bool MASKED, bool KIDX, bool RIDX>
KERASCPP_INLINE void column_block(const GemmTask& t, int64_t k0, int64_t kc, int64_t r0, int64_t r1,
                                  int64_t j, __m256i mask, bool first, bool last) {
  // With a term list, k0 moves along the list; otherwise along A's columns and B's rows.
  const float* b = KIDX ? t.b + j : t.b + k0 * t.ldb + j;
  const int32_t* kidx = KIDX ? t.k_index + k0 : nullptr;
  const int64_t a_k0 = KIDX ? 0 : k0 * t.a.cs;
  const float* bias = t.bias ? t.bias + j : nullptr;
  const bool load_c = !first || t.accumulate;
  const bool relu = last && t.relu;
  const float* arow[kMr];
  float* crow[kMr];
  auto rows = [&](int64_t i, int n) {
    for (int r = 0; r < n; ++r) {
      const int64_t row = RIDX ? t.row_index[i + r] : i + r;
      arow[r] = t.a.p + row * t.a.rs + a_k0;
      crow[r] = t.c + row * t.ldc + j;
    }
  };
  int64_t i = r0;
  for (; i + kMr <= r1; i += kMr) {
    rows(i, kMr);
    tile<kMr, NV, MASKED, KIDX>(kc, arow, t.a.cs, kidx, b, t.ldb, crow, mask, bias, load_c, relu);
  }
  const int n = static_cast<int>(r1 - i);
  rows(i, n);
  switch (n) {
    case 3:
      tile<3, NV, MASKED, KIDX>(kc, arow, t.a.cs, kidx, b, t.ldb, crow, mask, bias, load_c, relu);
      break;
    case 2:
      tile<2, NV, MASKED, KIDX>(kc, arow, t.a.cs, kidx, b, t.ldb, crow, mask, bias, load_c, relu);
      break;
    case 1:
      tile<1, NV, MASKED, KIDX>(kc, arow, t.a.cs, kidx, b, t.ldb, crow, mask, bias, load_c, relu);
      break;
    default:
      break;
  }
}

// Columns [c0, c1) for one K block: full 16-wide blocks, then the ragged end.
template <bool KIDX, bool RIDX>
void k_block(const GemmTask& t, int64_t k0, int64_t kc, int64_t r0, int64_t r1, int64_t c0,
             int64_t c1, bool first, bool last) {
  const __m256i none = _mm256_setzero_si256();
  int64_t j = c0;
  for (; j + 16 <= c1; j += 16)
    column_block<2, false, KIDX, RIDX>(t, k0, kc, r0, r1, j, none, first, last);
  const int64_t rest = c1 - j;
  if (rest > 8)
    column_block<2, true, KIDX, RIDX>(t, k0, kc, r0, r1, j, tail_mask(rest - 8), first, last);
  else if (rest == 8)
    column_block<1, false, KIDX, RIDX>(t, k0, kc, r0, r1, j, none, first, last);
  else if (rest > 0)
    column_block<1, true, KIDX, RIDX>(t, k0, kc, r0, r1, j, tail_mask(rest), first, last);
}

}  // namespace

bool available() {
  // KERASCPP_DISABLE_AVX2=1 selects the portable path (BLAS and plain loops), for tests.
  static const bool ok =
      __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
      !(getenv("KERASCPP_DISABLE_AVX2") && *getenv("KERASCPP_DISABLE_AVX2") == '1');
  return ok;
}

void gemm(const GemmTask& t, int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
  if (r0 >= r1 || c0 >= c1) return;
  // K == 0 still runs one (empty) block: C = bias or 0 (or kept), then ReLU.
  int64_t k0 = 0;
  do {
    const int64_t kc = t.K - k0 < kKc ? t.K - k0 : kKc;
    const bool first = k0 == 0, last = k0 + kc >= t.K;
    if (t.k_index)
      t.row_index ? k_block<true, true>(t, k0, kc, r0, r1, c0, c1, first, last)
                  : k_block<true, false>(t, k0, kc, r0, r1, c0, c1, first, last);
    else
      t.row_index ? k_block<false, true>(t, k0, kc, r0, r1, c0, c1, first, last)
                  : k_block<false, false>(t, k0, kc, r0, r1, c0, c1, first, last);
    k0 += kc;
  } while (k0 < t.K);
}

void adam_update(float* w, const float* g, float* m, float* v, int64_t rows, int64_t cols,
                 int64_t stride, float alpha, float beta1, float beta2, float epsilon) {
  const __m256 c1 = _mm256_set1_ps(1.0f - beta1), c2 = _mm256_set1_ps(1.0f - beta2);
  const __m256 lr = _mm256_set1_ps(alpha), eps = _mm256_set1_ps(epsilon),
               two = _mm256_set1_ps(2.0f);
  // The tail runs the same arithmetic under a mask, so every element sees the same operations
  // wherever a slice boundary falls.
  auto update = [&](__m256 gi, __m256& mi, __m256& vi, __m256& wi) {
    mi = _mm256_fmadd_ps(_mm256_sub_ps(gi, mi), c1, mi);
    vi = _mm256_fmadd_ps(_mm256_fmsub_ps(gi, gi, vi), c2, vi);
    // m / (sqrt(v) + eps) with one trip through the divider instead of two (it is Adam's
    // bottleneck): a reciprocal estimate refined by a Newton step, relative error < 2e-7.
    const __m256 d = _mm256_add_ps(_mm256_sqrt_ps(vi), eps);
    __m256 r = _mm256_rcp_ps(d);
    r = _mm256_mul_ps(r, _mm256_fnmadd_ps(d, r, two));
    const __m256 step = _mm256_mul_ps(_mm256_mul_ps(lr, mi), r);
    wi = _mm256_sub_ps(wi, step);
  };
  const __m256i tail = tail_mask(cols % 8 ? cols % 8 : 8);
  for (int64_t r = 0; r < rows; ++r, w += stride, g += stride, m += stride, v += stride) {
    int64_t i = 0;
    for (; i + 8 <= cols; i += 8) {
      __m256 mi = _mm256_loadu_ps(m + i), vi = _mm256_loadu_ps(v + i), wi = _mm256_loadu_ps(w + i);
      update(_mm256_loadu_ps(g + i), mi, vi, wi);
      _mm256_storeu_ps(m + i, mi);
      _mm256_storeu_ps(v + i, vi);
      _mm256_storeu_ps(w + i, wi);
    }
    if (i < cols) {
      __m256 mi = _mm256_maskload_ps(m + i, tail), vi = _mm256_maskload_ps(v + i, tail);
      __m256 wi = _mm256_maskload_ps(w + i, tail);
      update(_mm256_maskload_ps(g + i, tail), mi, vi, wi);
      _mm256_maskstore_ps(m + i, tail, mi);
      _mm256_maskstore_ps(v + i, tail, vi);
      _mm256_maskstore_ps(w + i, tail, wi);
    }
  }
}

void dropout_forward(const float* x, float* y, float* mask, int64_t n, float keep,
                     const uint64_t state[16]) {
  // Four xoshiro256** generators side by side, one per 64-bit lane.
  __m256i s0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(state));
  __m256i s1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(state + 4));
  __m256i s2 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(state + 8));
  __m256i s3 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(state + 12));
  auto rotl = [](__m256i v, int k) {
    return _mm256_or_si256(_mm256_slli_epi64(v, k), _mm256_srli_epi64(v, 64 - k));
  };
  const __m256 scale = _mm256_set1_ps(keep > 0.0f ? 1.0f / keep : 0.0f);
  const __m256i threshold =
      _mm256_set1_epi32(static_cast<int>(static_cast<double>(keep) * (1u << 24)));
  for (int64_t i = 0; i < n; i += 8) {
    // draw = rotl(s1 * 5, 7) * 9, then the state update.
    const __m256i x5 = _mm256_add_epi64(_mm256_slli_epi64(s1, 2), s1);
    const __m256i r = rotl(x5, 7);
    const __m256i draw = _mm256_add_epi64(_mm256_slli_epi64(r, 3), r);
    const __m256i t = _mm256_slli_epi64(s1, 17);
    s2 = _mm256_xor_si256(s2, s0);
    s3 = _mm256_xor_si256(s3, s1);
    s1 = _mm256_xor_si256(s1, s2);
    s0 = _mm256_xor_si256(s0, s3);
    s2 = _mm256_xor_si256(s2, t);
    s3 = rotl(s3, 45);
    // 32-bit lane 2j + h holds half h of stream j's draw; its top 24 bits decide.
    const __m256i bits = _mm256_srli_epi32(draw, 8);
    const __m256 m = _mm256_and_ps(_mm256_castsi256_ps(_mm256_cmpgt_epi32(threshold, bits)), scale);
    if (i + 8 <= n) {
      _mm256_storeu_ps(mask + i, m);
      _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), m));
    } else {
      const __m256i tail = tail_mask(n - i);
      _mm256_maskstore_ps(mask + i, tail, m);
      _mm256_maskstore_ps(y + i, tail, _mm256_mul_ps(_mm256_maskload_ps(x + i, tail), m));
    }
  }
}

}  // namespace keras::kernels::avx2

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
