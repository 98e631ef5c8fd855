#include "keras/layers/conv2d.hpp"

#include <algorithm>
#include "config_writers.hpp"

#include "keras/activations/activations.hpp"
#include "keras/backend/thread_pool.hpp"
#include "keras/core/error.hpp"

namespace keras::layers {

Conv2D::Conv2D(int64_t filters, Size2 kernel_size, std::string_view activation,
               Conv2DOptions options)
    : Layer("conv2d", std::move(options.name), std::move(options.input_shape)),
      filters_(filters),
      kernel_size_(kernel_size),
      strides_(options.strides),
      padding_(parse_padding(options.padding, "Conv2D")),
      activation_(activations::get(activation)),
      use_bias_(options.use_bias),
      kernel_init_(initializers::get(options.kernel_initializer)),
      bias_init_(initializers::get(options.bias_initializer)) {
  if (filters <= 0)
    throw ValueError("Conv2D: filters must be a positive integer, got " + std::to_string(filters));
  if (kernel_size.h <= 0 || kernel_size.w <= 0 || strides_.h <= 0 || strides_.w <= 0)
    throw ValueError("Conv2D: kernel_size and strides must be positive, got kernel_size=(" +
                     std::to_string(kernel_size.h) + ", " + std::to_string(kernel_size.w) +
                     "), strides=(" + std::to_string(strides_.h) + ", " +
                     std::to_string(strides_.w) + ")");
}

Shape Conv2D::compute_output_shape(const Shape& in) const {
  if (in.rank() != 3)
    throw ValueError(
        "Conv2D '" + name() + "' expects input of shape (None, height, width, channels), got " +
        in.with_batch(-1).str() +
        "; give images a channel axis, e.g. Input({28, 28, 1}) or Reshape({28, 28, 1})");
  const auto g = kernels::make_window(1, in[0], in[1], in[2], filters_, kernel_size_.h,
                                      kernel_size_.w, strides_.h, strides_.w, padding_);
  if (g.out_h <= 0 || g.out_w <= 0)
    throw ValueError("Conv2D '" + name() + "': kernel (" + std::to_string(kernel_size_.h) + ", " +
                     std::to_string(kernel_size_.w) + ") does not fit input " +
                     in.with_batch(-1).str() +
                     " with padding='valid'; use padding='same' or a smaller kernel");
  return Shape{g.out_h, g.out_w, filters_};
}

std::vector<WeightSpec> Conv2D::weight_specs() const {
  const Shape& in = input_shape();
  std::vector<WeightSpec> specs{
      {"kernel", Shape{kernel_size_.h, kernel_size_.w, in[2], filters_}, kernel_init_, true}};
  if (use_bias_) specs.push_back({"bias", Shape{filters_}, bias_init_, true});
  return specs;
}

kernels::Window2D Conv2D::window(int64_t batch) const {
  const Shape& in = input_shape();
  return kernels::make_window(batch, in[0], in[1], in[2], filters_, kernel_size_.h, kernel_size_.w,
                              strides_.h, strides_.w, padding_);
}

void Conv2D::forward(const float* x, float* y, int64_t batch, bool) {
  const float* bias = use_bias_ ? variables_[1].value : nullptr;
  kernels::conv2d_forward(window(batch), x, variables_[0].value, bias, y, activation_);
}

void Conv2D::backward(const float* x, const float* y, const float* dy, float* dx, int64_t batch) {
  const float* dz = dy;
  if (activation_ != kernels::Activation::linear) {
    const int64_t pixels = batch * output_shape()[0] * output_shape()[1];
    const size_t need = static_cast<size_t>(pixels * filters_);
    if (dz_.size() < need) dz_.resize(need);
    float* out = dz_.data();
    const int64_t per_sample = pixels / batch;
    backend::parallel_for(
        batch, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, per_sample * filters_)),
        [&](int64_t b, int64_t e) {
          const int64_t at = b * per_sample * filters_;
          kernels::activation_backward(y + at, dy + at, out + at, (e - b) * per_sample, filters_,
                                       activation_);
        });
    dz = out;
  }
  backward_preactivation(x, y, dz, dx, batch);
}

void Conv2D::backward_preactivation(const float* x, const float*, const float* dz, float* dx,
                                    int64_t batch) {
  float* db = use_bias_ ? variables_[1].gradient : nullptr;
  kernels::conv2d_backward(window(batch), x, variables_[0].value, dz, variables_[0].gradient, db,
                           dx);
}

nlohmann::json Conv2D::get_config() const {
  auto c = Layer::get_config();
  c["filters"] = filters_;
  c["kernel_size"] = config::to_json(kernel_size_);
  c["strides"] = config::to_json(strides_);
  c["padding"] = to_string(padding_);
  c["data_format"] = "channels_last";
  c["dilation_rate"] = config::to_json(Size2(1));
  c["groups"] = 1;
  c["activation"] = activations::name(activation_);
  c["use_bias"] = use_bias_;
  c["kernel_initializer"] = config::serialize(kernel_init_);
  c["bias_initializer"] = config::serialize(bias_init_);
  for (const char* k : {"kernel_regularizer", "bias_regularizer", "activity_regularizer",
                        "kernel_constraint", "bias_constraint"})
    c[k] = nullptr;
  return c;
}

}  // namespace keras::layers
