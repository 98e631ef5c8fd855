// CPU kernels. Dense layers and Adam run on the hand-written AVX2/FMA kernels (cpu_avx2.cpp)
// when the CPU has them, split into tasks over the thread pool; general matrix products go to
// the BLAS (OpenBLAS, single-threaded inside our pool's tasks). The element-wise work is plain
// loops the compiler vectorises.
#include <cblas.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <vector>

#include "cpu_avx2.hpp"
#include "fp_env.hpp"
#include "keras/backend/kernels.hpp"
#include "keras/backend/thread_pool.hpp"
#include "keras/config.hpp"
#include "keras/utils/random.hpp"

namespace keras::kernels {
namespace {

// Jobs below this many multiply-adds stay on the calling thread: waking a worker costs more.
constexpr int64_t kParallelMacs = int64_t{1} << 17;

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

// Runs f(r0, r1, c0, c1) over a rows x cols output cut into row_block x col_block tiles, in
// parallel when the job (rows * cols * depth multiply-adds) is worth it. Tasks are numbered row
// block first; the pool hands thread p the p-th share of the numbers every time.
template <class F>
void for_tiles(int64_t rows, int64_t cols, int64_t depth, int64_t row_block, int64_t col_block,
               F&& f) {
  if (rows <= 0 || cols <= 0) return;
  if (rows * cols * std::max<int64_t>(depth, 1) < kParallelMacs || config::num_threads() == 1)
    return f(int64_t{0}, rows, int64_t{0}, cols);
  const int64_t nr = ceil_div(rows, row_block), nc = ceil_div(cols, col_block);
  backend::parallel_tasks(nr * nc, [&](int64_t t) {
    const int64_t r0 = (t % nr) * row_block, c0 = (t / nr) * col_block;
    f(r0, std::min(rows, r0 + row_block), c0, std::min(cols, c0 + col_block));
  });
}

// Weight ownership: with T threads, thread p owns rows [owned_row(p), owned_row(p + 1)) of a
// Dense kernel W[in, out] -- the rows its share of dW's row-block tasks covers (the pool gives
// thread p tasks [n p / T, n (p + 1) / T)). The forward pass sums over the same rows on the same
// thread, so the weights a core updates stay in its cache: sharing them between cores (even by
// interleaved column ranges, through the prefetchers) made two threads slower than one.
constexpr int64_t kRowBlock = 32;
int64_t owned_row(int64_t in, int threads, int64_t p) {
  return std::min(in, kRowBlock * (ceil_div(in, kRowBlock) * p / threads));
}

// Input features that are zero in every row of a batch (MNIST's borders: ~40% of the pixels
// of 32 images) contribute exact zeros to a Dense layer's products (0 * w adds +-0 for finite w)
// and their weight-gradient rows are exactly zero. The kernels skip them when there are enough:
// returns the list of the other features (ascending) in `live`, or null to use them all.
const int32_t* live_features(const float* x, int64_t B, int64_t in, int64_t out,
                             std::vector<int32_t>& live) {
  if (B * in * out < kParallelMacs) return nullptr;  // a small product: not worth the scan
  thread_local std::vector<uint32_t> any_tls;
  auto& any = any_tls;
  any.assign(static_cast<size_t>(in), 0u);
  uint32_t* a = any.data();
  for (int64_t b = 0; b < B; ++b) {
    const float* row = x + b * in;
    for (int64_t k = 0; k < in; ++k) a[k] |= std::bit_cast<uint32_t>(row[k]) & 0x7fffffffu;  // +-0
  }
  live.resize(static_cast<size_t>(in));
  int64_t n = 0;
  for (int64_t k = 0; k < in; ++k) {  // branch-free compaction
    live[size_t(n)] = static_cast<int32_t>(k);
    n += a[k] != 0;
  }
  live.resize(static_cast<size_t>(n));
  return n <= in - in / 8 ? live.data() : nullptr;
}

// The listed features in [k0, k1): the positions [first, second) of that range in `live`.
std::pair<int64_t, int64_t> live_range(const std::vector<int32_t>& live, int64_t k0, int64_t k1) {
  const auto lo = std::lower_bound(live.begin(), live.end(), k0);
  const auto hi = std::lower_bound(lo, live.end(), k1);
  return {lo - live.begin(), hi - live.begin()};
}

void blas_gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
               const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
               int64_t ldc) {
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, static_cast<int>(M), static_cast<int>(N),
              static_cast<int>(K), alpha, A, static_cast<int>(lda), B, static_cast<int>(ldb), beta,
              C, static_cast<int>(ldc));
}

}  // namespace

void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
          int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  if (M == 0 || N == 0) return;
  if (K == 0) {
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < N; ++j) C[i * ldc + j] = beta == 0.0f ? 0.0f : beta * C[i * ldc + j];
    return;
  }
  // One BLAS call per tile of C: split the longer side so each thread gets one slab.
  const int threads = config::num_threads();
  const bool split_rows = M >= N;
  const int64_t side = split_rows ? M : N;
  const int64_t block = std::max<int64_t>(16, ceil_div(ceil_div(side, threads), 16) * 16);
  for_tiles(M, N, K, split_rows ? block : M, split_rows ? N : block,
            [&](int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
              const float* a = trans_a ? A + r0 : A + r0 * lda;
              const float* b = trans_b ? B + c0 * ldb : B + c0;
              blas_gemm(trans_a, trans_b, r1 - r0, c1 - c0, K, alpha, a, lda, b, ldb, beta,
                        C + r0 * ldc + c0, ldc);
            });
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
  const backend::FlushDenormals flush;
  if (avx2::available()) {
    const int threads = config::num_threads();
    thread_local std::vector<int32_t> live_features_of_x;
    const auto& live = live_features_of_x;  // this thread's list, also for the workers' tasks
    const int32_t* k_index = live_features(x, B, in, out, live_features_of_x);
    if (threads > 1 && B * in * out >= kParallelMacs && in >= 2 * threads * kRowBlock) {
      // Each thread sums over its own rows of W (those it updates in dense_backward), into y
      // (thread 0, with the bias) or a scratch buffer; the partial sums are added up after.
      thread_local std::vector<float> partial;
      const auto part_size = static_cast<size_t>(B * out);
      if (partial.size() < part_size * size_t(threads - 1))
        partial.resize(part_size * size_t(threads - 1));
      float* scratch = partial.data();
      backend::parallel_tasks(threads, [&](int64_t p) {
        const int64_t k0 = owned_row(in, threads, p), k1 = owned_row(in, threads, p + 1);
        float* part = p == 0 ? y : scratch + size_t(p - 1) * part_size;
        avx2::GemmTask t{k1 - k0, {x + k0, in, 1},     W + k0 * out, out, part,
                         out,     p == 0 ? b : nullptr};
        if (k_index) {
          const auto [lo, hi] = live_range(live, k0, k1);
          t = {hi - lo, {x, in, 1},           W,     out,   part,
               out,     p == 0 ? b : nullptr, false, false, k_index + lo};
        }
        avx2::gemm(t, 0, B, 0, out);
      });
      for (int p = 1; p < threads; ++p) {
        const float* s = scratch + size_t(p - 1) * part_size;
        for (size_t i = 0; i < part_size; ++i) y[i] += s[i];
      }
      activation_forward(y, B, out, act);
      return;
    }
    // Bias and ReLU are applied to each tile while it is still in registers.
    const int64_t terms = k_index ? static_cast<int64_t>(live.size()) : in;
    const avx2::GemmTask t{terms,  {x, in, 1}, W, out, y, out, b, false, act == Activation::relu,
                           k_index};
    for_tiles(B, out, in, 64, 16, [&](int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
      avx2::gemm(t, r0, r1, c0, c1);
    });
    if (act != Activation::linear && act != Activation::relu) activation_forward(y, B, out, act);
    return;
  }
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
  dense_backward(x, W, dz, dW, db, dx, B, in, out, SliceCallback{});
}

void dense_backward(const float* x, const float* W, const float* dz, float* dW, float* db,
                    float* dx, int64_t B, int64_t in, int64_t out, SliceCallback dW_ready) {
  const backend::FlushDenormals flush;  // dW_ready (a fused optimizer step) runs under it too
  if (db) {
    std::fill(db, db + out, 0.0f);
    for (int64_t i = 0; i < B; ++i)
      for (int64_t j = 0; j < out; ++j) db[j] += dz[i * out + j];
  }
  if (!avx2::available()) {
    if (dx) gemm(false, true, B, in, out, 1.0f, dz, out, W, out, 0.0f, dx, in);
    gemm(true, false, in, out, B, 1.0f, x, in, dz, out, 0.0f, dW, out);
    if (dW_ready) dW_ready(Slice{0, in, out, out});
    return;
  }
  if (dx) {
    // dx[B, in] = dz W^T, with W^T packed first ([out, in], so its rows are contiguous).
    thread_local std::vector<float> wt;
    if (wt.size() < static_cast<size_t>(in * out)) wt.resize(static_cast<size_t>(in * out));
    for (int64_t i = 0; i < in; ++i)
      for (int64_t o = 0; o < out; ++o) wt[size_t(o * in + i)] = W[i * out + o];
    const avx2::GemmTask tx{out, {dz, out, 1}, wt.data(), in, dx, in};
    for_tiles(B, in, out, 64, 16, [&](int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
      avx2::gemm(tx, r0, r1, c0, c1);
    });
  }
  // dW[in, out] = x^T dz (rows of dW walk down the columns of x), in blocks of whole rows, each
  // thread taking the rows it owns (owned_row); every ~1024 values go to dW_ready while in L1.
  // The rows of features that are zero in the whole batch are exactly zero: filled, not computed.
  thread_local std::vector<int32_t> live_features_of_x;
  const auto& live = live_features_of_x;  // this thread's list, also for the workers' tasks
  const int32_t* row_index = live_features(x, B, in, out, live_features_of_x);
  const avx2::GemmTask tw{B,       {x, 1, in}, dz,    out,     dW,       out,
                          nullptr, false,      false, nullptr, row_index};
  const int64_t step = std::max<int64_t>(4, ceil_div(ceil_div(1024, out), 4) * 4);
  for_tiles(in, out, B, kRowBlock, out, [&](int64_t r0, int64_t r1, int64_t, int64_t) {
    int64_t next = row_index ? live_range(live, r0, r1).first : 0;  // first live row >= r
    for (int64_t r = r0; r < r1; r += step) {
      const int64_t e = std::min(r1, r + step);
      if (!row_index) {
        avx2::gemm(tw, r, e, 0, out);
      } else {
        const int64_t lo = next;
        for (int64_t row = r; row < e; ++row)  // zero the rows of dead features, find the live
          if (next < static_cast<int64_t>(live.size()) && live[size_t(next)] == row)
            ++next;
          else
            std::fill(dW + row * out, dW + (row + 1) * out, 0.0f);
        avx2::gemm(tw, lo, next, 0, out);
      }
      if (dW_ready) dW_ready(Slice{r * out, 1, (e - r) * out, (e - r) * out});
    }
  });
}

void adam_update(float* w, const float* g, float* m, float* v, int64_t n, float alpha, float beta1,
                 float beta2, float epsilon) {
  const backend::FlushDenormals flush;
  // Element-wise: any split gives the same result. Slices of 16K values (64 KB per array).
  constexpr int64_t kSlice = 16384;
  if (n < 2 * kSlice || config::num_threads() == 1)
    return adam_update(w, g, m, v, Slice{0, 1, n, n}, alpha, beta1, beta2, epsilon);
  backend::parallel_tasks(ceil_div(n, kSlice), [&](int64_t s) {
    const int64_t b = s * kSlice, e = std::min(n, b + kSlice);
    adam_update(w, g, m, v, Slice{b, 1, e - b, e - b}, alpha, beta1, beta2, epsilon);
  });
}

void adam_update(float* w, const float* g, float* m, float* v, const Slice& s, float alpha,
                 float beta1, float beta2, float epsilon) {
  const backend::FlushDenormals flush;
  if (avx2::available())
    return avx2::adam_update(w + s.offset, g + s.offset, m + s.offset, v + s.offset, s.rows, s.cols,
                             s.stride, alpha, beta1, beta2, epsilon);
  for (int64_t r = 0; r < s.rows; ++r) {
    const int64_t o = s.offset + r * s.stride;
    reference::adam_update(w + o, g + o, m + o, v + o, s.cols, alpha, beta1, beta2, epsilon);
  }
}

void gather_rows(const float* src, const int64_t* index, int64_t rows, int64_t cols, float* dst) {
  auto copy = [&](int64_t c0, int64_t c1) {
    for (int64_t r = 0; r < rows; ++r)
      std::memcpy(dst + r * cols + c0, src + index[r] * cols + c0, sizeof(float) * size_t(c1 - c0));
  };
  const int threads = config::num_threads();
  if (threads == 1 || rows * cols < 4096) return copy(0, cols);
  // Thread p copies the columns it owns as the input rows of dense_forward / dense_backward.
  backend::parallel_tasks(threads, [&](int64_t p) {
    copy(owned_row(cols, threads, p), owned_row(cols, threads, p + 1));
  });
}

void dropout_forward(const float* x, float* y, float* mask, int64_t n, float keep, uint64_t seed) {
  if (!avx2::available()) return reference::dropout_forward(x, y, mask, n, keep, seed);
  // The four streams' xoshiro256** states, as random::Generator would hold them.
  uint64_t state[16];
  for (int j = 0; j < 4; ++j) {
    uint64_t s = random::splitmix64(seed);
    for (int w = 0; w < 4; ++w) state[w * 4 + j] = random::splitmix64(s);
  }
  avx2::dropout_forward(x, y, mask, n, keep, state);
}

}  // namespace keras::kernels
