// CPU kernels: matrix products through BLAS (OpenBLAS, pinned to our thread setting), the
// element-wise work in plain loops the compiler vectorises.
#include <cblas.h>

#include <algorithm>
#include <cmath>

#include "keras/backend/kernels.hpp"
#include "keras/utils/random.hpp"

namespace keras::kernels {

void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
          const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
          int64_t ldc) {
  if (M == 0 || N == 0) return;
  if (K == 0) {
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < N; ++j) C[i * ldc + j] = beta == 0.0f ? 0.0f : beta * C[i * ldc + j];
    return;
  }
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
              static_cast<int>(M), static_cast<int>(N), static_cast<int>(K), alpha, A,
              static_cast<int>(lda), B, static_cast<int>(ldb), beta, C, static_cast<int>(ldc));
}

void activation_forward(float* y, int64_t rows, int64_t cols, Activation act) {
  const int64_t n = rows * cols;
  switch (act) {
    case Activation::linear:
      return;
    case Activation::relu:
      for (int64_t i = 0; i < n; ++i) y[i] = y[i] > 0.0f ? y[i] : 0.0f;
      return;
    case Activation::sigmoid:
      for (int64_t i = 0; i < n; ++i) y[i] = 1.0f / (1.0f + std::exp(-y[i]));
      return;
    case Activation::tanh:
      for (int64_t i = 0; i < n; ++i) y[i] = std::tanh(y[i]);
      return;
    case Activation::softmax:
      for (int64_t r = 0; r < rows; ++r) {
        float* row = y + r * cols;
        const float mx = *std::max_element(row, row + cols);
        float sum = 0.0f;
        for (int64_t j = 0; j < cols; ++j) sum += (row[j] = std::exp(row[j] - mx));
        const float inv = 1.0f / sum;
        for (int64_t j = 0; j < cols; ++j) row[j] *= inv;
      }
      return;
  }
}

void activation_backward(const float* y, const float* dy, float* dz, int64_t rows, int64_t cols,
                         Activation act) {
  const int64_t n = rows * cols;
  switch (act) {
    case Activation::linear:
      if (dz != dy) std::copy(dy, dy + n, dz);
      return;
    case Activation::relu:
      for (int64_t i = 0; i < n; ++i) dz[i] = y[i] > 0.0f ? dy[i] : 0.0f;
      return;
    case Activation::sigmoid:
      for (int64_t i = 0; i < n; ++i) dz[i] = dy[i] * y[i] * (1.0f - y[i]);
      return;
    case Activation::tanh:
      for (int64_t i = 0; i < n; ++i) dz[i] = dy[i] * (1.0f - y[i] * y[i]);
      return;
    case Activation::softmax:
      for (int64_t r = 0; r < rows; ++r) {
        const float* yr = y + r * cols;
        const float* dyr = dy + r * cols;
        float dot = 0.0f;
        for (int64_t j = 0; j < cols; ++j) dot += yr[j] * dyr[j];
        float* dzr = dz + r * cols;
        for (int64_t j = 0; j < cols; ++j) dzr[j] = yr[j] * (dyr[j] - dot);
      }
      return;
  }
}

void dense_forward(const float* x, const float* W, const float* b, float* y, int64_t B, int64_t in,
                   int64_t out, Activation act) {
  if (b) {
    for (int64_t i = 0; i < B; ++i) std::copy(b, b + out, y + i * out);
    gemm(false, false, B, out, in, 1.0f, x, in, W, out, 1.0f, y, out);
  } else {
    gemm(false, false, B, out, in, 1.0f, x, in, W, out, 0.0f, y, out);
  }
  activation_forward(y, B, out, act);
}

void dense_backward(const float* x, const float* W, const float* dz, float* dW, float* db,
                    float* dx, int64_t B, int64_t in, int64_t out) {
  gemm(true, false, in, out, B, 1.0f, x, in, dz, out, 0.0f, dW, out);
  if (db) {
    std::fill(db, db + out, 0.0f);
    for (int64_t i = 0; i < B; ++i)
      for (int64_t j = 0; j < out; ++j) db[j] += dz[i * out + j];
  }
  if (dx) gemm(false, true, B, in, out, 1.0f, dz, out, W, out, 0.0f, dx, in);
}

void adam_update(float* w, const float* g, float* m, float* v, int64_t n, float alpha, float beta1,
                 float beta2, float epsilon) {
  const float one_minus_b1 = 1.0f - beta1, one_minus_b2 = 1.0f - beta2;
  for (int64_t i = 0; i < n; ++i) {
    const float gi = g[i];
    const float mi = m[i] + (gi - m[i]) * one_minus_b1;
    const float vi = v[i] + (gi * gi - v[i]) * one_minus_b2;
    m[i] = mi;
    v[i] = vi;
    w[i] -= alpha * mi / (std::sqrt(vi) + epsilon);
  }
}

void dropout_forward(const float* x, float* y, float* mask, int64_t n, float keep, uint64_t seed) {
  random::Generator gen(seed);
  const float scale = keep > 0.0f ? 1.0f / keep : 0.0f;
  // 24-bit threshold compare on raw bits: one generator call yields two decisions.
  const uint32_t threshold = static_cast<uint32_t>(static_cast<double>(keep) * (1u << 24));
  int64_t i = 0;
  for (; i + 1 < n; i += 2) {
    const uint64_t r = gen.next_u64();
    const float m0 = ((r >> 8) & 0xFFFFFF) < threshold ? scale : 0.0f;
    const float m1 = ((r >> 40) & 0xFFFFFF) < threshold ? scale : 0.0f;
    mask[i] = m0;
    mask[i + 1] = m1;
    y[i] = x[i] * m0;
    y[i + 1] = x[i + 1] * m1;
  }
  if (i < n) {
    const float m0 = ((gen.next_u64() >> 8) & 0xFFFFFF) < threshold ? scale : 0.0f;
    mask[i] = m0;
    y[i] = x[i] * m0;
  }
}

}  // namespace keras::kernels
