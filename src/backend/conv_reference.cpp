// Reference convolution: the direct loops, in double precision, written for clarity. Tests
// trust these.
#include <algorithm>
#include <vector>

#include "keras/backend/conv_kernels.hpp"

namespace keras::kernels::reference {

namespace {
// Calls fn(ih, iw, kh, kw) for every kernel tap of output pixel (oh, ow) that lands inside
// the input.
template <class F>
void for_each_tap(const Window2D& g, int64_t oh, int64_t ow, F fn) {
  for (int64_t kh = 0; kh < g.kernel_h; ++kh) {
    const int64_t ih = oh * g.stride_h - g.pad_top + kh;
    if (ih < 0 || ih >= g.in_h) continue;
    for (int64_t kw = 0; kw < g.kernel_w; ++kw) {
      const int64_t iw = ow * g.stride_w - g.pad_left + kw;
      if (iw >= 0 && iw < g.in_w) fn(ih, iw, kh, kw);
    }
  }
}
}  // namespace

void conv2d_forward(const Window2D& g, const float* x, const float* w, const float* b, float* y,
                    Activation act) {
  for (int64_t n = 0; n < g.batch; ++n)
    for (int64_t oh = 0; oh < g.out_h; ++oh)
      for (int64_t ow = 0; ow < g.out_w; ++ow)
        for (int64_t oc = 0; oc < g.out_c; ++oc) {
          double acc = b ? b[oc] : 0.0;
          for_each_tap(g, oh, ow, [&](int64_t ih, int64_t iw, int64_t kh, int64_t kw) {
            const float* xp = x + ((n * g.in_h + ih) * g.in_w + iw) * g.in_c;
            const float* wp = w + (kh * g.kernel_w + kw) * g.in_c * g.out_c + oc;
            for (int64_t c = 0; c < g.in_c; ++c) acc += double(xp[c]) * wp[c * g.out_c];
          });
          y[((n * g.out_h + oh) * g.out_w + ow) * g.out_c + oc] = static_cast<float>(acc);
        }
  activation_forward(y, g.batch * g.out_h * g.out_w, g.out_c, act);
}

void conv2d_backward(const Window2D& g, const float* x, const float* w, const float* dz, float* dw,
                     float* db, float* dx) {
  std::vector<double> dw_acc(size_t(g.kernel_h * g.kernel_w * g.in_c * g.out_c), 0.0);
  std::vector<double> db_acc(size_t(g.out_c), 0.0);
  std::vector<double> dx_acc(dx ? size_t(g.batch * g.in_sample()) : 0, 0.0);
  for (int64_t n = 0; n < g.batch; ++n)
    for (int64_t oh = 0; oh < g.out_h; ++oh)
      for (int64_t ow = 0; ow < g.out_w; ++ow)
        for (int64_t oc = 0; oc < g.out_c; ++oc) {
          const double d = dz[((n * g.out_h + oh) * g.out_w + ow) * g.out_c + oc];
          db_acc[size_t(oc)] += d;
          for_each_tap(g, oh, ow, [&](int64_t ih, int64_t iw, int64_t kh, int64_t kw) {
            const int64_t xi = ((n * g.in_h + ih) * g.in_w + iw) * g.in_c;
            const int64_t wi = (kh * g.kernel_w + kw) * g.in_c * g.out_c + oc;
            for (int64_t c = 0; c < g.in_c; ++c) {
              dw_acc[size_t(wi + c * g.out_c)] += double(x[xi + c]) * d;
              if (dx) dx_acc[size_t(xi + c)] += double(w[wi + c * g.out_c]) * d;
            }
          });
        }
  std::transform(dw_acc.begin(), dw_acc.end(), dw, [](double v) { return float(v); });
  if (db) std::transform(db_acc.begin(), db_acc.end(), db, [](double v) { return float(v); });
  if (dx) std::transform(dx_acc.begin(), dx_acc.end(), dx, [](double v) { return float(v); });
}

}  // namespace keras::kernels::reference
