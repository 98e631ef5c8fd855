// Convolution as im2col + one sgemm: each output pixel's receptive field is copied into a row
// of a patch matrix col[N*OH*OW, KH*KW*C] (in (kh, kw, c) order, the order of the kernel's
// rows), so that y = col @ w[KH*KW*C, OC], dw = col^T @ dz and dcol = dz @ w^T, with col2im
// adding dcol back onto dx. The copies run on the thread pool, the products in BLAS.
#include <algorithm>
#include <cstring>
#include <vector>

#include "conv_impl.hpp"

namespace keras::kernels::detail {

namespace {

int64_t patch_size(const Window2D& g) {
  return g.kernel_h * g.kernel_w * g.in_c;
}

// A 1x1, stride-1, unpadded convolution's patch matrix is x itself.
bool is_pointwise(const Window2D& g) {
  return g.kernel_h == 1 && g.kernel_w == 1 && g.stride_h == 1 && g.stride_w == 1 &&
         g.pad_top == 0 && g.pad_left == 0;
}

// Calls fn(row, x_offset, count) for each run of one patch row, in kernel order: a run is
// `count` floats that come from x at x_offset, or zeros (x_offset < 0) where the window hangs
// over the padding. Runs of a row that fit inside the input are merged across kw.
template <class F>
void for_each_patch_run(const Window2D& g, int64_t n, int64_t oh, int64_t ow, F fn) {
  const int64_t C = g.in_c;
  const int64_t iw0 = ow * g.stride_w - g.pad_left;
  int64_t col = 0;
  for (int64_t kh = 0; kh < g.kernel_h; ++kh) {
    const int64_t ih = oh * g.stride_h - g.pad_top + kh;
    const int64_t row_base = (n * g.in_h + ih) * g.in_w;
    if (ih < 0 || ih >= g.in_h) {
      fn(col, int64_t{-1}, g.kernel_w * C);
    } else if (iw0 >= 0 && iw0 + g.kernel_w <= g.in_w) {
      fn(col, (row_base + iw0) * C, g.kernel_w * C);
    } else {
      for (int64_t kw = 0; kw < g.kernel_w; ++kw) {
        const int64_t iw = iw0 + kw;
        fn(col + kw * C, iw < 0 || iw >= g.in_w ? int64_t{-1} : (row_base + iw) * C, C);
      }
    }
    col += g.kernel_w * C;
  }
}

void im2col(const Window2D& g, const float* x, float* col, int64_t n_begin, int64_t n_end) {
  const int64_t K = patch_size(g);
  for (int64_t n = n_begin; n < n_end; ++n)
    for (int64_t oh = 0; oh < g.out_h; ++oh)
      for (int64_t ow = 0; ow < g.out_w; ++ow) {
        float* row = col + ((n * g.out_h + oh) * g.out_w + ow) * K;
        for_each_patch_run(g, n, oh, ow, [&](int64_t at, int64_t src, int64_t count) {
          if (src < 0)
            std::fill_n(row + at, count, 0.0f);
          else
            std::memcpy(row + at, x + src, sizeof(float) * size_t(count));
        });
      }
}

// The adjoint of im2col: dx (zeroed here) += every patch row put back where it came from.
void col2im(const Window2D& g, const float* col, float* dx, int64_t n_begin, int64_t n_end) {
  const int64_t K = patch_size(g);
  std::fill(dx + n_begin * g.in_sample(), dx + n_end * g.in_sample(), 0.0f);
  for (int64_t n = n_begin; n < n_end; ++n)
    for (int64_t oh = 0; oh < g.out_h; ++oh)
      for (int64_t ow = 0; ow < g.out_w; ++ow) {
        const float* row = col + ((n * g.out_h + oh) * g.out_w + ow) * K;
        for_each_patch_run(g, n, oh, ow, [&](int64_t at, int64_t dst, int64_t count) {
          if (dst < 0) return;
          float* d = dx + dst;
          const float* s = row + at;
          for (int64_t i = 0; i < count; ++i) d[i] += s[i];
        });
      }
}

// The patch matrix of x, in a buffer owned by the calling thread and grown once.
float* fill_patches(const Window2D& g, const float* x) {
  thread_local std::vector<float> col;
  const size_t need = size_t(g.batch * g.out_h * g.out_w * patch_size(g));
  if (col.size() < need) col.resize(need);
  float* c = col.data();
  for_each_batch_slice(g.batch, 1, [&](int, int64_t b, int64_t e) { im2col(g, x, c, b, e); });
  return c;
}

}  // namespace

void conv2d_forward_im2col(const Window2D& g, const float* x, const float* w, const float* b,
                           float* y, Activation act) {
  const int64_t M = g.batch * g.out_h * g.out_w, K = patch_size(g), OC = g.out_c;
  const float* col = is_pointwise(g) ? x : fill_patches(g, x);
  if (b)
    for (int64_t i = 0; i < M; ++i) std::copy(b, b + OC, y + i * OC);
  gemm(false, false, M, OC, K, 1.0f, col, K, w, OC, b ? 1.0f : 0.0f, y, OC);
  const int64_t pixels = g.out_h * g.out_w;
  for_each_batch_slice(g.batch, 1, [&](int, int64_t s, int64_t e) {
    activation_forward(y + s * pixels * OC, (e - s) * pixels, OC, act);
  });
}

void conv2d_backward_im2col(const Window2D& g, const float* x, const float* w, const float* dz,
                            float* dw, float* db, float* dx) {
  const int64_t M = g.batch * g.out_h * g.out_w, K = patch_size(g), OC = g.out_c;
  if (db) {
    std::fill(db, db + OC, 0.0f);
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < OC; ++j) db[j] += dz[i * OC + j];
  }
  if (is_pointwise(g)) {
    if (dw) gemm(true, false, K, OC, M, 1.0f, x, K, dz, OC, 0.0f, dw, OC);
    if (dx) gemm(false, true, M, K, OC, 1.0f, dz, OC, w, OC, 0.0f, dx, K);
    return;
  }
  float* col = fill_patches(g, x);
  if (dw) gemm(true, false, K, OC, M, 1.0f, col, K, dz, OC, 0.0f, dw, OC);
  if (!dx) return;
  // The patches are no longer needed: their buffer receives dcol.
  float* dcol = col;
  gemm(false, true, M, K, OC, 1.0f, dz, OC, w, OC, 0.0f, dcol, K);
  for_each_batch_slice(g.batch, 1, [&](int, int64_t b, int64_t e) { col2im(g, dcol, dx, b, e); });
}

}  // namespace keras::kernels::detail
