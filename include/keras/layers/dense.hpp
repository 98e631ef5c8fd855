// Dense: y = activation(x @ kernel + bias), kernel (in, units) glorot_uniform, bias zeros.
#pragma once

#include "keras/activations/activations.hpp"
#include "keras/layers/layer.hpp"
#include "keras/tensor/ndarray.hpp"

namespace keras::layers {

struct DenseOptions {
  bool use_bias = true;
  std::string kernel_initializer = "glorot_uniform";
  std::string bias_initializer = "zeros";
  std::optional<Shape> input_shape = std::nullopt;  ///< Keras's input_shape= on a first layer
  std::string name = {};
};

class Dense : public Layer {
 public:
  explicit Dense(int64_t units, std::string_view activation = "linear", DenseOptions options = {});
  std::string class_name() const override { return "Dense"; }
  int64_t units() const { return units_; }
  kernels::Activation activation() const { return activation_; }
  bool use_bias() const { return use_bias_; }

  Shape compute_output_shape(const Shape& input_shape) const override;
  std::vector<WeightSpec> weight_specs() const override;
  void forward(const float* x, float* y, int64_t batch, bool training) override;
  void backward(const float* x, const float* y, const float* dy, float* dx, int64_t batch) override;
  kernels::Activation final_activation() const override { return activation_; }
  bool fuses_update() const override { return true; }
  void backward_preactivation(const float* x, const float* y, const float* dz, float* dx,
                              int64_t batch) override;
  nlohmann::json get_config() const override;

 private:
  void on_build() override;
  int64_t units_;
  kernels::Activation activation_;
  bool use_bias_;
  initializers::Kind kernel_init_, bias_init_;
  int64_t in_features_ = 0;
  Tensor dz_;  // scratch for the activation's backward pass, grown once (64-byte aligned: the
               // weight-gradient kernel streams it)
};

}  // namespace keras::layers
