// Flatten: (batch, d1, d2, ...) -> (batch, d1*d2*...), row-major; a view, no copy.
#pragma once

#include "keras/layers/layer.hpp"

namespace keras::layers {

struct FlattenOptions {
  std::string name = {};
};

class Flatten : public Layer {
 public:
  explicit Flatten(FlattenOptions options = {});
  /// `Flatten({28, 28})` is Keras's `Flatten(input_shape=(28, 28))`.
  explicit Flatten(Shape input_shape, FlattenOptions options = {});
  std::string class_name() const override { return "Flatten"; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  void forward(const float* x, float* y, int64_t batch, bool training) override;
  void backward(const float* x, const float* y, const float* dy, float* dx, int64_t batch) override;
  bool aliases_input() const override { return true; }
  nlohmann::json get_config() const override;
};

}  // namespace keras::layers
