// The convolution and pooling side of the kernel seam (see kernels.hpp for the conventions):
// raw pointers, shapes in the comments, validated inputs. Tensors are channels_last (NHWC),
// conv kernels (kh, kw, cin, cout), as Keras stores them.
//
// conv2d_* run through one of two implementations, chosen at run time:
//   onednn  oneDNN (libdnnl) primitives, created once per shape and cached; each thread of
//           the kerascpp pool runs them single-threaded on its slice of the batch.
//   im2col  im2col + one BLAS sgemm (kernels::gemm) per pass.
// The default is the one measured faster on the MNIST convnet (docs/benchmarks.md); the plain
// loops in namespace reference are what the tests trust.
#pragma once

#include <cstdint>
#include <string>

#include "keras/backend/kernels.hpp"

namespace keras::kernels {

/// Keras's padding modes: "valid" (no padding) and "same" (output = ceil(input / stride); the
/// odd extra row/column of padding goes at the bottom/right, as in TensorFlow).
enum class Padding { valid, same };

/// Output size and leading padding of one spatial axis.
struct WindowAxis {
  int64_t out = 0;
  int64_t pad_before = 0;
};
/// Keras's rule; `out` is <= 0 when a valid window does not fit (callers report that).
WindowAxis window_axis(int64_t in, int64_t kernel, int64_t stride, Padding padding);

/// A 2-D sliding window over NHWC tensors: a convolution (out_c filters) or a pooling
/// (out_c == in_c). Padding at the bottom/right is whatever the output size implies.
struct Window2D {
  int64_t batch = 0;
  int64_t in_h = 0, in_w = 0, in_c = 0;
  int64_t out_h = 0, out_w = 0, out_c = 0;
  int64_t kernel_h = 1, kernel_w = 1;
  int64_t stride_h = 1, stride_w = 1;
  int64_t pad_top = 0, pad_left = 0;

  int64_t pad_bottom() const { return (out_h - 1) * stride_h + kernel_h - in_h - pad_top; }
  int64_t pad_right() const { return (out_w - 1) * stride_w + kernel_w - in_w - pad_left; }
  int64_t in_sample() const { return in_h * in_w * in_c; }      ///< floats per input sample
  int64_t out_sample() const { return out_h * out_w * out_c; }  ///< floats per output sample
  bool operator==(const Window2D&) const = default;
};

/// The geometry of a window layer for one batch size.
Window2D make_window(int64_t batch, int64_t in_h, int64_t in_w, int64_t in_c, int64_t out_c,
                     int64_t kernel_h, int64_t kernel_w, int64_t stride_h, int64_t stride_w,
                     Padding padding);

// ---- convolution -----------------------------------------------------------------------------

/// y[N,OH,OW,OC] = act(conv(x[N,H,W,C], w[KH,KW,C,OC]) + b[OC]); b may be null. Softmax, if
/// asked, runs over the channels of each pixel.
void conv2d_forward(const Window2D& g, const float* x, const float* w, const float* b, float* y,
                    Activation act);

/// Given dz[N,OH,OW,OC] (gradient w.r.t. the pre-activation), writes dw[KH,KW,C,OC],
/// db[OC] (if db) and dx[N,H,W,C] (if dx).
void conv2d_backward(const Window2D& g, const float* x, const float* w, const float* dz, float* dw,
                     float* db, float* dx);

enum class ConvImplementation { onednn, im2col };
/// Whether this build has oneDNN (CMake found libdnnl; option KERASCPP_ONEDNN).
bool have_onednn();
/// The implementation conv2d_* use now. Default: onednn when built with it, else im2col;
/// $KERASCPP_CONV=onednn|im2col overrides the default.
ConvImplementation conv_implementation();
/// Selects the implementation (benchmarks, tests). onednn without oneDNN throws
/// NotImplementedError.
void set_conv_implementation(ConvImplementation impl);
std::string to_string(ConvImplementation impl);

// ---- pooling ---------------------------------------------------------------------------------

/// y = max over each window of x; padded positions never win. If argmax is not null, it
/// receives for each element of y the offset, within its sample, of the x element that won
/// (the first maximum in row-major window order, as TensorFlow).
void max_pool2d_forward(const Window2D& g, const float* x, float* y, int32_t* argmax);
/// dx = dy routed to the x elements argmax names, summed where windows overlap.
void max_pool2d_backward(const Window2D& g, const int32_t* argmax, const float* dy, float* dx);
/// y = mean over each window of the positions inside the input (padding is not counted, as in
/// Keras).
void avg_pool2d_forward(const Window2D& g, const float* x, float* y);
void avg_pool2d_backward(const Window2D& g, const float* dy, float* dx);

namespace reference {
// Direct loops with double accumulators; the tests compare both implementations with these.
void conv2d_forward(const Window2D& g, const float* x, const float* w, const float* b, float* y,
                    Activation act);
void conv2d_backward(const Window2D& g, const float* x, const float* w, const float* dz, float* dw,
                     float* db, float* dx);
}  // namespace reference

}  // namespace keras::kernels
