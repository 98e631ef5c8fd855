// Pooling kernels: plain loops over NHWC, vectorised over the channels, one slice of the batch
// per pool thread. They are both the fast and the reference version (the gradient checker and
// the PyTorch fixture test them directly).
#include <algorithm>
#include <limits>
#include <vector>

#include "keras/backend/conv_kernels.hpp"
#include "keras/backend/thread_pool.hpp"

namespace keras::kernels {

namespace {

// Runs fn(out, taps, count) for every output pixel (at offset `out` in floats), where
// taps[0..count) are the offsets of the window positions that lie inside the input, in
// row-major window order. Samples are split among the pool threads; a backward pass passes its
// dx as `zero_first`, so that each thread zeroes the samples it then scatters into.
template <class F>
void for_each_window(const Window2D& g, F fn, float* zero_first = nullptr) {
  const int64_t grain = std::max<int64_t>(1, 32768 / std::max<int64_t>(1, g.out_sample() * g.kernel_h * g.kernel_w));
  backend::parallel_for(g.batch, grain, [&](int64_t begin, int64_t end) {
    std::vector<int64_t> taps(size_t(g.kernel_h * g.kernel_w));
    for (int64_t n = begin; n < end; ++n) {
      if (zero_first) std::fill_n(zero_first + n * g.in_sample(), g.in_sample(), 0.0f);
      for (int64_t oh = 0; oh < g.out_h; ++oh)
        for (int64_t ow = 0; ow < g.out_w; ++ow) {
          int64_t count = 0;
          for (int64_t kh = 0; kh < g.kernel_h; ++kh) {
            const int64_t ih = oh * g.stride_h - g.pad_top + kh;
            if (ih < 0 || ih >= g.in_h) continue;
            for (int64_t kw = 0; kw < g.kernel_w; ++kw) {
              const int64_t iw = ow * g.stride_w - g.pad_left + kw;
              if (iw >= 0 && iw < g.in_w) taps[size_t(count++)] = ((n * g.in_h + ih) * g.in_w + iw) * g.in_c;
            }
          }
          fn(((n * g.out_h + oh) * g.out_w + ow) * g.out_c, taps.data(), count);
        }
    }
  });
}

}  // namespace

void max_pool2d_forward(const Window2D& g, const float* x, float* y) {
  const int64_t C = g.in_c;
  for_each_window(g, [&](int64_t out, const int64_t* taps, int64_t count) {
    float* yp = y + out;
    std::fill(yp, yp + C, -std::numeric_limits<float>::infinity());
    for (int64_t t = 0; t < count; ++t) {
      const float* xp = x + taps[t];
      for (int64_t c = 0; c < C; ++c) yp[c] = std::max(yp[c], xp[c]);
    }
  });
}

void max_pool2d_backward(const Window2D& g, const float* x, const float* y, const float* dy,
                         float* dx) {
  const int64_t C = g.in_c;
  for_each_window(
      g,
      [&](int64_t out, const int64_t* taps, int64_t count) {
        const float* yp = y + out;
        const float* dyp = dy + out;
        // Branch-free over the channels: `pending` drops to 0 once a channel's max is found.
        thread_local std::vector<float> pending;
        pending.assign(size_t(C), 1.0f);
        for (int64_t t = 0; t < count; ++t) {
          const float* xp = x + taps[t];
          float* dxp = dx + taps[t];
          for (int64_t c = 0; c < C; ++c) {
            const bool hit = xp[c] == yp[c] && pending[size_t(c)] != 0.0f;
            dxp[c] += hit ? dyp[c] : 0.0f;
            pending[size_t(c)] = hit ? 0.0f : pending[size_t(c)];
          }
        }
      },
      dx);
}

void avg_pool2d_forward(const Window2D& g, const float* x, float* y) {
  const int64_t C = g.in_c;
  for_each_window(g, [&](int64_t out, const int64_t* taps, int64_t count) {
    float* yp = y + out;
    std::fill(yp, yp + C, 0.0f);
    for (int64_t t = 0; t < count; ++t) {
      const float* xp = x + taps[t];
      for (int64_t c = 0; c < C; ++c) yp[c] += xp[c];
    }
    const float inv = count ? 1.0f / float(count) : 0.0f;
    for (int64_t c = 0; c < C; ++c) yp[c] *= inv;
  });
}

void avg_pool2d_backward(const Window2D& g, const float* dy, float* dx) {
  const int64_t C = g.in_c;
  for_each_window(
      g,
      [&](int64_t out, const int64_t* taps, int64_t count) {
        const float inv = count ? 1.0f / float(count) : 0.0f;
        const float* dyp = dy + out;
        for (int64_t t = 0; t < count; ++t) {
          float* dxp = dx + taps[t];
          for (int64_t c = 0; c < C; ++c) dxp[c] += dyp[c] * inv;
        }
      },
      dx);
}

}  // namespace keras::kernels
