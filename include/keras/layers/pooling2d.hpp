// MaxPooling2D and AveragePooling2D over NHWC inputs: a window of pool_size moved by strides
// (default: pool_size), "valid" or "same" padding. Padded positions never win a max and are
// not counted in an average, as in Keras.
//
//   MaxPooling2D({2, 2})   // Keras: layers.MaxPooling2D(pool_size=(2, 2))
#pragma once

#include "keras/layers/layer.hpp"
#include "keras/layers/window.hpp"

namespace keras::layers {

struct Pooling2DOptions {
  std::optional<Size2> strides = std::nullopt;  ///< default: pool_size
  std::string padding = "valid";                ///< "valid" or "same"
  std::string name = {};
};

/// What the two pooling layers share: arguments, output shape, config.
class Pooling2D : public Layer {
 public:
  Size2 pool_size() const { return pool_size_; }
  Size2 strides() const { return strides_; }
  Padding padding() const { return padding_; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  nlohmann::json get_config() const override;

 protected:
  Pooling2D(std::string_view prefix, std::string_view class_name, Size2 pool_size,
            Pooling2DOptions options);
  kernels::Window2D window(int64_t batch) const;

 private:
  Size2 pool_size_, strides_;
  Padding padding_;
};

class MaxPooling2D : public Pooling2D {
 public:
  explicit MaxPooling2D(Size2 pool_size = {2, 2}, Pooling2DOptions options = {});
  std::string class_name() const override { return "MaxPooling2D"; }
  void forward(const float* x, float* y, int64_t batch, bool training) override;
  void backward(const float* x, const float* y, const float* dy, float* dx, int64_t batch) override;

 private:
  std::vector<int32_t> argmax_;  // winner of each output element in the last forward pass
};

class AveragePooling2D : public Pooling2D {
 public:
  explicit AveragePooling2D(Size2 pool_size = {2, 2}, Pooling2DOptions options = {});
  std::string class_name() const override { return "AveragePooling2D"; }
  void forward(const float* x, float* y, int64_t batch, bool training) override;
  void backward(const float* x, const float* y, const float* dy, float* dx, int64_t batch) override;
};

}  // namespace keras::layers
