// BatchNormalization over the last axis (channels_last), as Keras 3:
//   training:  y = gamma * (x - mean_B) / sqrt(var_B + epsilon) + beta with the batch's mean and
//              (biased) variance per channel, and moving_mean/moving_variance updated as
//              moving = moving * momentum + batch_stat * (1 - momentum);
//   inference: the same with moving_mean/moving_variance.
// gamma (ones) and beta (zeros) are trainable; the moving statistics are non-trainable weights,
// in Keras's order gamma, beta, moving_mean, moving_variance.
#pragma once

#include "keras/layers/layer.hpp"

namespace keras::layers {

struct BatchNormalizationOptions {
  int axis = -1;  ///< only the last axis (-1, or its index counting the batch axis) is supported
  double momentum = 0.99;
  double epsilon = 1e-3;
  bool center = true;  ///< learn beta
  bool scale = true;   ///< learn gamma
  std::string beta_initializer = "zeros";
  std::string gamma_initializer = "ones";
  std::string moving_mean_initializer = "zeros";
  std::string moving_variance_initializer = "ones";
  std::optional<Shape> input_shape = std::nullopt;  ///< Keras's input_shape= on a first layer
  std::string name = {};
};

class BatchNormalization : public Layer {
 public:
  explicit BatchNormalization(BatchNormalizationOptions options = {});
  std::string class_name() const override { return "BatchNormalization"; }
  double momentum() const { return momentum_; }
  double epsilon() const { return epsilon_; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  std::vector<WeightSpec> weight_specs() const override;
  void forward(const float* x, float* y, int64_t batch, bool training) override;
  void backward(const float* x, const float* y, const float* dy, float* dx, int64_t batch) override;
  bool has_training_behaviour() const override { return true; }
  nlohmann::json get_config() const override;

 private:
  void on_build() override;
  const Variable* variable(const char* name) const;
  int axis_;
  double momentum_, epsilon_;
  bool center_, scale_;
  initializers::Kind beta_init_, gamma_init_, mean_init_, var_init_;
  int64_t channels_ = 0;
  // Statistics the last forward pass normalised with (batch or moving), for backward().
  std::vector<float> mean_, inv_std_;
  bool last_training_ = false;
};

}  // namespace keras::layers
