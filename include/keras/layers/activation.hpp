// Activation(name): applies an activation function as a layer of its own, element-wise
// (softmax over the last axis).
//
//   Dense(10), Activation("softmax")   // same as Dense(10, "softmax")
#pragma once

#include "keras/layers/layer.hpp"

namespace keras::layers {

struct ActivationOptions {
  std::optional<Shape> input_shape = std::nullopt;  ///< Keras's input_shape= on a first layer
  std::string name = {};
};

class Activation : public Layer {
 public:
  explicit Activation(std::string_view activation, ActivationOptions options = {});
  std::string class_name() const override { return "Activation"; }
  kernels::Activation activation() const { return activation_; }
  Shape compute_output_shape(const Shape& input_shape) const override { return input_shape; }
  void forward(const float* x, float* y, int64_t batch, bool training) override;
  void backward(const float* x, const float* y, const float* dy, float* dx, int64_t batch) override;
  kernels::Activation final_activation() const override { return activation_; }
  void backward_preactivation(const float* x, const float* y, const float* dz, float* dx,
                              int64_t batch) override;
  nlohmann::json get_config() const override;

 private:
  /// The activation runs over rows of the last axis (softmax normalises each row).
  std::pair<int64_t, int64_t> rows_cols(int64_t batch) const;
  kernels::Activation activation_;
};

}  // namespace keras::layers
