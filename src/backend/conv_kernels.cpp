// Window geometry, the choice of convolution implementation, and the batch slicing both
// implementations share.
#include <atomic>
#include <cstdlib>
#include <string_view>

#include "conv_impl.hpp"
#include "keras/backend/thread_pool.hpp"
#include "keras/core/error.hpp"

namespace keras::kernels {

WindowAxis window_axis(int64_t in, int64_t kernel, int64_t stride, Padding padding) {
  if (padding == Padding::valid) return {in >= kernel ? (in - kernel) / stride + 1 : 0, 0};
  const int64_t out = (in + stride - 1) / stride;
  const int64_t total = std::max<int64_t>(0, (out - 1) * stride + kernel - in);
  return {out, total / 2};
}

Window2D make_window(int64_t batch, int64_t in_h, int64_t in_w, int64_t in_c, int64_t out_c,
                     int64_t kernel_h, int64_t kernel_w, int64_t stride_h, int64_t stride_w,
                     Padding padding) {
  const WindowAxis h = window_axis(in_h, kernel_h, stride_h, padding);
  const WindowAxis w = window_axis(in_w, kernel_w, stride_w, padding);
  return {batch,    in_h,     in_w,     in_c,     h.out,        w.out,       out_c,
          kernel_h, kernel_w, stride_h, stride_w, h.pad_before, w.pad_before};
}

// ---- implementation choice -------------------------------------------------------------------
namespace {
ConvImplementation default_implementation() {
  if (const char* env = std::getenv("KERASCPP_CONV"); env && *env) {
    const std::string_view v = env;
    if (v == "im2col") return ConvImplementation::im2col;
    if (v == "onednn" && have_onednn()) return ConvImplementation::onednn;
    throw ValueError(
        "KERASCPP_CONV='" + std::string(v) + "' is not " +
        (have_onednn() ? "'onednn' or 'im2col'" : "'im2col' (this build has no oneDNN)") +
        "; set it to one of those or unset it");
  }
  return have_onednn() ? ConvImplementation::onednn : ConvImplementation::im2col;
}
std::atomic<int>& chosen() {
  static std::atomic<int> impl{static_cast<int>(default_implementation())};
  return impl;
}
}  // namespace

bool have_onednn() {
  return KERASCPP_HAVE_ONEDNN != 0;
}

ConvImplementation conv_implementation() {
  return static_cast<ConvImplementation>(chosen().load());
}

void set_conv_implementation(ConvImplementation impl) {
  if (impl == ConvImplementation::onednn && !have_onednn())
    throw NotImplementedError(
        "set_conv_implementation: this kerascpp was built without oneDNN; install libdnnl-dev "
        "and rebuild with -DKERASCPP_ONEDNN=ON, or use ConvImplementation::im2col");
  chosen().store(static_cast<int>(impl));
}

std::string to_string(ConvImplementation impl) {
  return impl == ConvImplementation::onednn ? "onednn" : "im2col";
}

void conv2d_forward(const Window2D& g, const float* x, const float* w, const float* b, float* y,
                    Activation act) {
#if KERASCPP_HAVE_ONEDNN
  if (conv_implementation() == ConvImplementation::onednn)
    return detail::conv2d_forward_onednn(g, x, w, b, y, act);
#endif
  detail::conv2d_forward_im2col(g, x, w, b, y, act);
}

void conv2d_backward(const Window2D& g, const float* x, const float* w, const float* dz, float* dw,
                     float* db, float* dx) {
#if KERASCPP_HAVE_ONEDNN
  if (conv_implementation() == ConvImplementation::onednn) {
    // oneDNN's kernels work on blocks of 8 channels. With fewer input channels (a first layer
    // on grey or RGB images) one GEMM computes the weight gradient in about half its time
    // (docs/benchmarks.md), so only dx goes through oneDNN there.
    if (g.in_c >= 8) return detail::conv2d_backward_onednn(g, x, w, dz, dw, db, dx);
    detail::conv2d_backward_im2col(g, x, w, dz, dw, db, nullptr);
    if (dx) detail::conv2d_backward_onednn(g, x, w, dz, nullptr, nullptr, dx);
    return;
  }
#endif
  detail::conv2d_backward_im2col(g, x, w, dz, dw, db, dx);
}

void detail::for_each_batch_slice(int64_t batch, int64_t min_per_slice,
                                  const std::function<void(int, int64_t, int64_t)>& fn) {
  const int slices = backend::parallel_chunks(batch, min_per_slice);
  if (slices <= 1) {
    if (batch > 0) fn(0, 0, batch);
    return;
  }
  const int64_t per = batch / slices, extra = batch % slices;
  backend::parallel_for(slices, 1, [&](int64_t first, int64_t last) {
    for (int64_t s = first; s < last; ++s) {
      const int64_t begin = s * per + std::min<int64_t>(s, extra);
      fn(static_cast<int>(s), begin, begin + per + (s < extra ? 1 : 0));
    }
  });
}

}  // namespace keras::kernels
