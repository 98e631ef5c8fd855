// Reference kernels: the obvious loops, written for clarity. Tests trust these.
#include <cmath>

#include "keras/backend/kernels.hpp"
#include "keras/utils/random.hpp"

namespace keras::kernels::reference {

void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
          int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j) {
      double acc = 0;
      for (int64_t k = 0; k < K; ++k) {
        const float a = trans_a ? A[k * lda + i] : A[i * lda + k];
        const float b = trans_b ? B[j * ldb + k] : B[k * ldb + j];
        acc += static_cast<double>(a) * b;
      }
      float& c = C[i * ldc + j];
      c = static_cast<float>(alpha * acc + (beta == 0.0f ? 0.0 : beta * c));
    }
}

void dense_forward(const float* x, const float* W, const float* b, float* y, int64_t B, int64_t in,
                   int64_t out, Activation act) {
  gemm(false, false, B, out, in, 1.0f, x, in, W, out, 0.0f, y, out);
  if (b)
    for (int64_t i = 0; i < B; ++i)
      for (int64_t j = 0; j < out; ++j) y[i * out + j] += b[j];
  activation_forward(y, B, out, act);
}

void dense_backward(const float* x, const float* W, const float* dz, float* dW, float* db,
                    float* dx, int64_t B, int64_t in, int64_t out) {
  gemm(true, false, in, out, B, 1.0f, x, in, dz, out, 0.0f, dW, out);
  if (db)
    for (int64_t j = 0; j < out; ++j) {
      double s = 0;
      for (int64_t i = 0; i < B; ++i) s += dz[i * out + j];
      db[j] = static_cast<float>(s);
    }
  if (dx) gemm(false, true, B, in, out, 1.0f, dz, out, W, out, 0.0f, dx, in);
}

void adam_update(float* w, const float* g, float* m, float* v, int64_t n, float alpha, float beta1,
                 float beta2, float epsilon) {
  for (int64_t i = 0; i < n; ++i) {
    m[i] += (g[i] - m[i]) * (1.0f - beta1);
    v[i] += (g[i] * g[i] - v[i]) * (1.0f - beta2);
    w[i] -= alpha * m[i] / (std::sqrt(v[i]) + epsilon);
  }
}

void dropout_forward(const float* x, float* y, float* mask, int64_t n, float keep, uint64_t seed) {
  random::Generator streams[4] = {random::Generator(0), random::Generator(0), random::Generator(0),
                                  random::Generator(0)};
  for (auto& stream : streams) stream = random::Generator(random::splitmix64(seed));
  const float scale = keep > 0.0f ? 1.0f / keep : 0.0f;
  const auto threshold = static_cast<uint64_t>(static_cast<double>(keep) * (1u << 24));
  for (int64_t base = 0; base < n; base += 8)
    for (int j = 0; j < 4; ++j) {
      const uint64_t draw = streams[j].next_u64();
      for (int h = 0; h < 2; ++h) {
        const int64_t i = base + 2 * j + h;
        if (i >= n) continue;
        mask[i] = ((draw >> (8 + 32 * h)) & 0xFFFFFF) < threshold ? scale : 0.0f;
        y[i] = x[i] * mask[i];
      }
    }
}

}  // namespace keras::kernels::reference
