// InputLayer / Input(shape): declares the model's input shape. Sequential never lists it in
// summary() or layers(), as in Keras.
#pragma once

#include "keras/layers/layer.hpp"

namespace keras::layers {

class InputLayer : public Layer {
 public:
  explicit InputLayer(Shape shape, std::string name = "");
  std::string class_name() const override { return "InputLayer"; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  void forward(const float* x, float* y, int64_t batch, bool training) override;
  void backward(const float* x, const float* y, const float* dy, float* dx, int64_t batch) override;
  bool aliases_input() const override { return true; }
  nlohmann::json get_config() const override;
  const Shape& shape() const { return *declared_input_shape(); }
};

/// keras.Input(shape): the first element of a Sequential, e.g. `Input({28, 28})`.
inline InputLayer Input(Shape shape, std::string name = "") {
  return InputLayer(std::move(shape), std::move(name));
}

}  // namespace keras::layers
