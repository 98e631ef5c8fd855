// Conv2D: y = activation(conv2d(x, kernel) + bias) over NHWC inputs (channels_last), kernel
// (kh, kw, in_channels, filters) glorot_uniform, bias (filters) zeros — Keras's layout, so
// Keras weights load as they are. Stride, "valid"/"same" padding; no dilation or groups.
//
//   keras::Sequential model{Input({28, 28, 1}), Conv2D(32, {3, 3}, "relu"), ...};
#pragma once

#include "keras/layers/layer.hpp"
#include "keras/layers/window.hpp"

namespace keras::layers {

struct Conv2DOptions {
  Size2 strides = 1;
  std::string padding = "valid";  ///< "valid" or "same"
  bool use_bias = true;
  std::string kernel_initializer = "glorot_uniform";
  std::string bias_initializer = "zeros";
  std::optional<Shape> input_shape =
      std::nullopt;  ///< Keras's input_shape= on a first layer: (h, w, channels)
  std::string name = {};
};

class Conv2D : public Layer {
 public:
  Conv2D(int64_t filters, Size2 kernel_size, std::string_view activation = "linear",
         Conv2DOptions options = {});
  std::string class_name() const override { return "Conv2D"; }
  int64_t filters() const { return filters_; }
  Size2 kernel_size() const { return kernel_size_; }
  Size2 strides() const { return strides_; }
  Padding padding() const { return padding_; }
  kernels::Activation activation() const { return activation_; }
  bool use_bias() const { return use_bias_; }

  Shape compute_output_shape(const Shape& input_shape) const override;
  std::vector<WeightSpec> weight_specs() const override;
  void forward(const float* x, float* y, int64_t batch, bool training) override;
  void backward(const float* x, const float* y, const float* dy, float* dx, int64_t batch) override;
  kernels::Activation final_activation() const override { return activation_; }
  void backward_preactivation(const float* x, const float* y, const float* dz, float* dx,
                              int64_t batch) override;
  nlohmann::json get_config() const override;

 private:
  kernels::Window2D window(int64_t batch) const;
  int64_t filters_;
  Size2 kernel_size_, strides_;
  Padding padding_;
  kernels::Activation activation_;
  bool use_bias_;
  initializers::Kind kernel_init_, bias_init_;
  std::vector<float> dz_;  // scratch for the activation's backward pass, grown once
};

}  // namespace keras::layers
