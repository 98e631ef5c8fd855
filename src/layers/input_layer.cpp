#include "keras/layers/input_layer.hpp"

#include <algorithm>

#include "keras/core/error.hpp"

namespace keras::layers {

InputLayer::InputLayer(Shape shape, std::string name)
    : Layer("input_layer", std::move(name), shape) {
  for (int64_t d : shape)
    if (d <= 0)
      throw ValueError("Input: every dimension of shape " + shape.str() +
                       " must be positive (leave the batch size out)");
}

Shape InputLayer::compute_output_shape(const Shape& input_shape) const {
  if (input_shape != shape())
    throw ValueError("Input '" + name() + "' expects shape " + shape().with_batch(-1).str() +
                     ", got " + input_shape.with_batch(-1).str());
  return input_shape;
}

void InputLayer::forward(const float*, float*, int64_t, bool) {}
void InputLayer::backward(const float*, const float*, const float*, float*, int64_t) {}

nlohmann::json InputLayer::get_config() const {
  nlohmann::json batch_shape = nlohmann::json::array({nullptr});
  for (int64_t d : shape()) batch_shape.push_back(d);
  return {{"batch_shape", batch_shape}, {"dtype", "float32"}, {"sparse", false}, {"name", name()}};
}

}  // namespace keras::layers
