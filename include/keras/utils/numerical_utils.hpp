// keras.utils.to_categorical: class indices -> one-hot rows, for categorical_crossentropy.
//
//   auto y_train = keras::utils::to_categorical(y_train_raw, 10);   // (60000,) -> (60000, 10)
#pragma once

#include <cstdint>

#include "keras/tensor/ndarray.hpp"

namespace keras::utils {

/// One-hot encodes integer class labels: y of shape (N,) (or (N, 1), squeezed as Keras does)
/// becomes float32 (N, num_classes). num_classes <= 0 means max(y) + 1. Labels must be whole
/// numbers in [0, num_classes); anything else throws ValueError naming the first bad one.
/// (Keras returns float64; kerascpp's arrays for training are float32.)
Tensor to_categorical(const Tensor& y, int64_t num_classes = -1);
template <ArrayElement T>
Tensor to_categorical(const NDArray<T>& y, int64_t num_classes = -1) {
  return to_categorical(y.template astype<float>(), num_classes);
}

}  // namespace keras::utils
