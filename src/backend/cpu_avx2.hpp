// Internal: the hand-written AVX2/FMA kernels behind keras/backend/kernels.hpp (not installed).
//
// They are compiled for AVX2+FMA whatever the build flags and chosen at run time
// (avx2::available()), so a portable build (KERASCPP_NATIVE=OFF) gets them too. Every kernel
// computes each output element with the same instruction sequence wherever the element falls
// in a tile and whichever thread runs it, so results do not depend on the thread count.
#pragma once

#include <cstdint>

namespace keras::kernels::avx2 {

/// True when the CPU (and OS) support AVX2 and FMA, unless $KERASCPP_DISABLE_AVX2 is 1; checked
/// once.
bool available();

/// A strided matrix operand: element (r, k) is at p[r * rs + k * cs].
struct Strided {
  const float* p;
  int64_t rs, cs;
};

/// C[r, j] = sum_k A(r, k) * B[k * ldb + j] (+ bias[j]) (+ C[r, j] if accumulate), then ReLU if
/// relu; for rows [r0, r1) and columns [c0, c1) of C, with K terms. B and C are row-major.
/// The terms are always summed in order k = 0, 1, ... K-1 onto the initial value.
///
/// k_index (optional) lists the terms: term k uses column k_index[k] of A and row k_index[k] of
/// B, and K counts the listed terms (to skip terms known to be zero). row_index (optional) lists
/// the rows: rows [r0, r1) of the task are then rows row_index[r0..r1) of A and C.
struct GemmTask {
  int64_t K;
  Strided a;
  const float* b;
  int64_t ldb;
  float* c;
  int64_t ldc;
  const float* bias = nullptr;
  bool accumulate = false;
  bool relu = false;
  const int32_t* k_index = nullptr;
  const int32_t* row_index = nullptr;
};
void gemm(const GemmTask& t, int64_t r0, int64_t r1, int64_t c0, int64_t c1);

/// Adam (same contract as kernels::adam_update) over `rows` rows of `cols` values, `stride` apart.
void adam_update(float* w, const float* g, float* m, float* v, int64_t rows, int64_t cols,
                 int64_t stride, float alpha, float beta1, float beta2, float epsilon);

/// kernels::dropout_forward given the four streams' states: state[4 * w + j] is word w of stream j.
void dropout_forward(const float* x, float* y, float* mask, int64_t n, float keep,
                     const uint64_t state[16]);

}  // namespace keras::kernels::avx2
