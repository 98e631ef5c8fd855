// The two convolution implementations behind conv_kernels.hpp (private to src/backend).
#pragma once

#include <functional>

#include "keras/backend/conv_kernels.hpp"

#ifndef KERASCPP_HAVE_ONEDNN
#define KERASCPP_HAVE_ONEDNN 0
#endif

namespace keras::kernels::detail {

void conv2d_forward_im2col(const Window2D& g, const float* x, const float* w, const float* b,
                           float* y, Activation act);
/// dw, db and dx may each be null.
void conv2d_backward_im2col(const Window2D& g, const float* x, const float* w, const float* dz,
                            float* dw, float* db, float* dx);

#if KERASCPP_HAVE_ONEDNN
void conv2d_forward_onednn(const Window2D& g, const float* x, const float* w, const float* b,
                           float* y, Activation act);
/// dw may be null (then db is ignored): dx only.
void conv2d_backward_onednn(const Window2D& g, const float* x, const float* w, const float* dz,
                            float* dw, float* db, float* dx);
#endif

/// Splits [0, batch) into one contiguous slice per pool thread (at least `min_per_slice`
/// samples each) and runs fn(slice_index, begin, end) on the pool.
void for_each_batch_slice(int64_t batch, int64_t min_per_slice,
                          const std::function<void(int, int64_t, int64_t)>& fn);

}  // namespace keras::kernels::detail
