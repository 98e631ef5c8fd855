// Reshape(target_shape): (batch, ...) -> (batch, target_shape...), row-major; one entry may be
// -1 and is inferred. A view, no copy (like Flatten).
//
//   Reshape({28, 28, 1})   // Keras: layers.Reshape((28, 28, 1))
#pragma once

#include "keras/layers/layer.hpp"

namespace keras::layers {

struct ReshapeOptions {
  std::optional<Shape> input_shape = std::nullopt;  ///< Keras's input_shape= on a first layer
  std::string name = {};
};

class Reshape : public Layer {
 public:
  explicit Reshape(Shape target_shape, ReshapeOptions options = {});
  std::string class_name() const override { return "Reshape"; }
  const Shape& target_shape() const { return target_shape_; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  void forward(const float* x, float* y, int64_t batch, bool training) override;
  void backward(const float* x, const float* y, const float* dy, float* dx, int64_t batch) override;
  bool aliases_input() const override { return true; }
  nlohmann::json get_config() const override;

 private:
  Shape target_shape_;
};

}  // namespace keras::layers
