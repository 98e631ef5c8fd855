#include "keras/layers/flatten.hpp"

#include <algorithm>

namespace keras::layers {

Flatten::Flatten(FlattenOptions options)
    : Layer("flatten", std::move(options.name), std::nullopt) {}
Flatten::Flatten(Shape input_shape, FlattenOptions options)
    : Layer("flatten", std::move(options.name), std::move(input_shape)) {}

Shape Flatten::compute_output_shape(const Shape& input_shape) const {
  return Shape{input_shape.size()};
}

// x and y are the same buffer (aliases_input), so there is nothing to move.
void Flatten::forward(const float* x, float* y, int64_t batch, bool) {
  if (x != y) std::copy(x, x + batch * output_shape().size(), y);
}

void Flatten::backward(const float*, const float*, const float* dy, float* dx, int64_t batch) {
  if (dx && dx != dy) std::copy(dy, dy + batch * output_shape().size(), dx);
}

nlohmann::json Flatten::get_config() const {
  auto c = Layer::get_config();
  c["data_format"] = "channels_last";
  return c;
}

}  // namespace keras::layers
