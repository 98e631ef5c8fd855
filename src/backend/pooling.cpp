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

// Runs fn(out, taps, count, sample) for every output pixel (at offset `out` in floats), where
// taps[0..count) are the offsets of the window positions that lie inside the input, in
// row-major window order, and `sample` the offset of the pixel's input sample. Samples are split
// among the pool threads; a backward pass passes its dx as `zero_first`, so that each thread zeroes
// the samples it then scatters into.
template <class F>
void for_each_window(const Window2D& g, F fn, float* zero_first = nullptr) {
  const int64_t grain =
      std::max<int64_t>(1, 32768 / std::max<int64_t>(1, g.out_sample() * g.kernel_h * g.kernel_w));
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
              if (iw >= 0 && iw < g.in_w)
                taps[size_t(count++)] = ((n * g.in_h + ih) * g.in_w + iw) * g.in_c;
            }
          }
          fn(((n * g.out_h + oh) * g.out_w + ow) * g.out_c, taps.data(), count, n * g.in_sample());
        }
    }
  });
}

}  // namespace

void max_pool2d_forward(const Window2D& g, const float* x, float* y, int32_t* argmax) {
  const int64_t C = g.in_c;
  for_each_window(g, [&](int64_t out, const int64_t* taps, int64_t count, int64_t sample) {
    float* yp = y + out;
    std::fill(yp, yp + C, -std::numeric_limits<float>::infinity());
    if (!argmax) {
      for (int64_t t = 0; t < count; ++t) {
        const float* xp = x + taps[t];
        for (int64_t c = 0; c < C; ++c) yp[c] = std::max(yp[c], xp[c]);
      }
      return;
    }
    // Branch-free over the channels; a strict > keeps the first maximum.
    int32_t* ap = argmax + out;
    for (int64_t c = 0; c < C; ++c) ap[c] = static_cast<int32_t>(taps[0] - sample + c);
    for (int64_t t = 0; t < count; ++t) {
      const float* xp = x + taps[t];
      const auto at = static_cast<int32_t>(taps[t] - sample);
      for (int64_t c = 0; c < C; ++c) {
        const bool wins = xp[c] > yp[c];
        yp[c] = wins ? xp[c] : yp[c];
        ap[c] = wins ? at + static_cast<int32_t>(c) : ap[c];
      }
    }
  });
}

void max_pool2d_backward(const Window2D& g, const int32_t* argmax, const float* dy, float* dx) {
  const int64_t in = g.in_sample(), out = g.out_sample();
  backend::parallel_for(g.batch, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, in)),
                        [&](int64_t begin, int64_t end) {
                          for (int64_t n = begin; n < end; ++n) {
                            float* dxn = dx + n * in;
                            std::fill_n(dxn, in, 0.0f);
                            const int32_t* an = argmax + n * out;
                            const float* dyn = dy + n * out;
                            for (int64_t o = 0; o < out; ++o) dxn[an[o]] += dyn[o];
                          }
                        });
}

void avg_pool2d_forward(const Window2D& g, const float* x, float* y) {
  const int64_t C = g.in_c;
  for_each_window(g, [&](int64_t out, const int64_t* taps, int64_t count, int64_t) {
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
      [&](int64_t out, const int64_t* taps, int64_t count, int64_t) {
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
