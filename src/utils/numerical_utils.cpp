#include "keras/utils/numerical_utils.hpp"

#include <cmath>
#include <string>

namespace keras::utils {

Tensor to_categorical(const Tensor& y, int64_t num_classes) {
  std::vector<int64_t> dims = y.shape().dims();
  if (dims.size() > 1 && dims.back() == 1) dims.pop_back();
  const int64_t n = y.size();
  float top = -1;
  for (int64_t i = 0; i < n; ++i) {
    const float v = y[i];
    if (!(v >= 0) || v != std::floor(v))
      throw ValueError("to_categorical: label " + std::to_string(v) + " at index " +
                       std::to_string(i) + " is not a class index (a whole number >= 0)");
    top = std::max(top, v);
  }
  if (num_classes <= 0) num_classes = static_cast<int64_t>(top) + 1;
  if (top >= float(num_classes))
    throw ValueError("to_categorical: label " + std::to_string(static_cast<int64_t>(top)) +
                     " is not below num_classes=" + std::to_string(num_classes) +
                     "; pass num_classes = number of classes");
  dims.push_back(num_classes);
  Tensor out{Shape(std::move(dims))};
  for (int64_t i = 0; i < n; ++i) out[i * num_classes + static_cast<int64_t>(y[i])] = 1.0f;
  return out;
}

}  // namespace keras::utils
