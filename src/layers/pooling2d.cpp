#include "keras/layers/pooling2d.hpp"

#include "config_writers.hpp"
#include "keras/core/error.hpp"

namespace keras::layers {

Pooling2D::Pooling2D(std::string_view prefix, std::string_view class_name, Size2 pool_size,
                     Pooling2DOptions options)
    : Layer(prefix, std::move(options.name), std::nullopt),
      pool_size_(pool_size),
      strides_(options.strides.value_or(pool_size)),
      padding_(parse_padding(options.padding, class_name)) {
  if (pool_size_.h <= 0 || pool_size_.w <= 0 || strides_.h <= 0 || strides_.w <= 0)
    throw ValueError(
        std::string(class_name) + ": pool_size and strides must be positive, got pool_size=(" +
        std::to_string(pool_size_.h) + ", " + std::to_string(pool_size_.w) + "), strides=(" +
        std::to_string(strides_.h) + ", " + std::to_string(strides_.w) + ")");
}

Shape Pooling2D::compute_output_shape(const Shape& in) const {
  if (in.rank() != 3)
    throw ValueError(class_name() + " '" + name() +
                     "' expects input of shape (None, height, width, channels), got " +
                     in.with_batch(-1).str());
  const auto g = kernels::make_window(1, in[0], in[1], in[2], in[2], pool_size_.h, pool_size_.w,
                                      strides_.h, strides_.w, padding_);
  if (g.out_h <= 0 || g.out_w <= 0)
    throw ValueError(class_name() + " '" + name() + "': pool_size (" +
                     std::to_string(pool_size_.h) + ", " + std::to_string(pool_size_.w) +
                     ") does not fit input " + in.with_batch(-1).str() +
                     " with padding='valid'; use padding='same' or a smaller pool");
  return Shape{g.out_h, g.out_w, in[2]};
}

kernels::Window2D Pooling2D::window(int64_t batch) const {
  const Shape& in = input_shape();
  return kernels::make_window(batch, in[0], in[1], in[2], in[2], pool_size_.h, pool_size_.w,
                              strides_.h, strides_.w, padding_);
}

nlohmann::json Pooling2D::get_config() const {
  auto c = Layer::get_config();
  c["pool_size"] = config::to_json(pool_size_);
  c["padding"] = to_string(padding_);
  c["strides"] = config::to_json(strides_);
  c["data_format"] = "channels_last";
  return c;
}

MaxPooling2D::MaxPooling2D(Size2 pool_size, Pooling2DOptions options)
    : Pooling2D("max_pooling2d", "MaxPooling2D", pool_size, std::move(options)) {}

// The winners are recorded in inference too: backward() may follow any forward pass.
void MaxPooling2D::forward(const float* x, float* y, int64_t batch, bool) {
  const auto need = static_cast<size_t>(batch * output_shape().size());
  if (argmax_.size() < need) argmax_.resize(need);
  kernels::max_pool2d_forward(window(batch), x, y, argmax_.data());
}

void MaxPooling2D::backward(const float*, const float*, const float* dy, float* dx, int64_t batch) {
  if (dx) kernels::max_pool2d_backward(window(batch), argmax_.data(), dy, dx);
}

AveragePooling2D::AveragePooling2D(Size2 pool_size, Pooling2DOptions options)
    : Pooling2D("average_pooling2d", "AveragePooling2D", pool_size, std::move(options)) {}

void AveragePooling2D::forward(const float* x, float* y, int64_t batch, bool) {
  kernels::avg_pool2d_forward(window(batch), x, y);
}

void AveragePooling2D::backward(const float*, const float*, const float* dy, float* dx,
                                int64_t batch) {
  if (dx) kernels::avg_pool2d_backward(window(batch), dy, dx);
}

}  // namespace keras::layers
