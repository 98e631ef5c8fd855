// GlobalAveragePooling2D: (batch, h, w, c) -> (batch, c), the mean over every pixel; with
// keepdims, (batch, 1, 1, c).
#pragma once

#include "keras/layers/layer.hpp"

namespace keras::layers {

struct GlobalAveragePooling2DOptions {
  bool keepdims = false;
  std::string name = {};
};

class GlobalAveragePooling2D : public Layer {
 public:
  explicit GlobalAveragePooling2D(GlobalAveragePooling2DOptions options = {});
  std::string class_name() const override { return "GlobalAveragePooling2D"; }
  bool keepdims() const { return keepdims_; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  void forward(const float* x, float* y, int64_t batch, bool training) override;
  void backward(const float* x, const float* y, const float* dy, float* dx, int64_t batch) override;
  nlohmann::json get_config() const override;

 private:
  bool keepdims_;
};

}  // namespace keras::layers
