// The kernel seam: every heavy loop of kerascpp goes through these functions. They take raw
// pointers with the shapes in the comments, assume validated inputs, and never allocate.
// Each has a plain reference version (kernels_reference.cpp) that the tests trust; the fast
// versions (BLAS, hand-written AVX2, later CUDA) live behind the same declarations.
#pragma once

#include <cstdint>

namespace keras::kernels {

/// Element-wise activation functions. Every derivative is expressed through the *output*
/// y = f(z), so layers keep only their outputs for the backward pass.
enum class Activation { linear, relu, sigmoid, tanh, softmax };

/// C[M,N] = alpha * op(A) @ op(B) + beta * C, row-major. op(A) is [M,K], op(B) is [K,N].
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
          int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

/// y[B,out] = act(x[B,in] @ W[in,out] + b[out]); b may be null.
void dense_forward(const float* x, const float* W, const float* b, float* y, int64_t B, int64_t in,
                   int64_t out, Activation act);

/// Given dz[B,out] (gradient w.r.t. the pre-activation), writes dW[in,out] = x^T dz,
/// db[out] = sum_b dz (if db), and dx[B,in] = dz W^T (if dx).
void dense_backward(const float* x, const float* W, const float* dz, float* dW, float* db,
                    float* dx, int64_t B, int64_t in, int64_t out);

/// Part of a flat buffer seen as rows: elements offset + r * stride + c, r < rows, c < cols
/// (a whole buffer of n values is {0, 1, n, n}).
struct Slice {
  int64_t offset = 0, rows = 1, cols = 0, stride = 0;
  int64_t size() const { return rows * cols; }
};

/// A callback given slices: a function pointer and its context, so kernels call it without
/// allocating.
struct SliceCallback {
  void (*fn)(void* context, const Slice& slice) = nullptr;
  void* context = nullptr;
  explicit operator bool() const { return fn != nullptr; }
  void operator()(const Slice& slice) const { fn(context, slice); }
};

/// dense_backward for a fused optimizer step: db and dx first (dx from the current W), then dW
/// in tiles, calling dW_ready(tile) for every finished tile of dW (disjoint, together covering
/// dW) on the thread that computed it, while the tile is in cache. Tiles follow the column
/// split of dense_forward, so with several threads each core updates the weights it reads.
void dense_backward(const float* x, const float* W, const float* dz, float* dW, float* db,
                    float* dx, int64_t B, int64_t in, int64_t out, SliceCallback dW_ready);

/// dst[r, :] = src[index[r], :] for r < rows, rows of `cols` values (a shuffled batch). With
/// several threads each copies the columns it will read as the next Dense layer's input.
void gather_rows(const float* src, const int64_t* index, int64_t rows, int64_t cols, float* dst);

/// In place on y[rows, cols]: y = act(y). Softmax runs over each row.
void activation_forward(float* y, int64_t rows, int64_t cols, Activation act);

/// dz[rows, cols] = dy * f'(z), computed from y = f(z). dz may equal dy.
void activation_backward(const float* y, const float* dy, float* dz, int64_t rows, int64_t cols,
                         Activation act);

/// Keras 3 Adam (epsilon added to sqrt(v), bias correction folded into alpha), over n values:
/// m += (g - m)(1 - beta1); v += (g*g - v)(1 - beta2); w -= alpha * m / (sqrt(v) + eps).
void adam_update(float* w, const float* g, float* m, float* v, int64_t n, float alpha, float beta1,
                 float beta2, float epsilon);
/// The same over a slice of the four buffers (which share one layout).
void adam_update(float* w, const float* g, float* m, float* v, const Slice& slice, float alpha,
                 float beta1, float beta2, float epsilon);

/// Inverted dropout: keep each element with probability keep (mask 1/keep), else 0.
/// mask[n] receives the scale applied to each element (0 or 1/keep). The decisions come from
/// four xoshiro256** streams, stream j = random::Generator(splitmix64 output j from `seed`):
/// element 8s + 2j + h (h = 0, 1) is kept when
/// (draw s of stream j >> (8 + 32h)) & 0xFFFFFF < keep * 2^24. Same bits vectorised or not, on
/// every CPU.
void dropout_forward(const float* x, float* y, float* mask, int64_t n, float keep, uint64_t seed);

namespace reference {
// Plain loops with the same contracts as above; the tests compare the fast kernels with these.
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
          int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);
void dense_forward(const float* x, const float* W, const float* b, float* y, int64_t B, int64_t in,
                   int64_t out, Activation act);
void dense_backward(const float* x, const float* W, const float* dz, float* dW, float* db,
                    float* dx, int64_t B, int64_t in, int64_t out);
void adam_update(float* w, const float* g, float* m, float* v, int64_t n, float alpha, float beta1,
                 float beta2, float epsilon);
void dropout_forward(const float* x, float* y, float* mask, int64_t n, float keep, uint64_t seed);
}  // namespace reference

}  // namespace keras::kernels
