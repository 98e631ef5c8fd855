#include "keras/layers/dense.hpp"

#include "config_writers.hpp"

#include "keras/core/error.hpp"

namespace keras::layers {

Dense::Dense(int64_t units, std::string_view activation, DenseOptions options)
    : Layer("dense", std::move(options.name), std::move(options.input_shape)),
      units_(units),
      activation_(activations::get(activation)),
      use_bias_(options.use_bias),
      kernel_init_(initializers::get(options.kernel_initializer)),
      bias_init_(initializers::get(options.bias_initializer)) {
  if (units <= 0)
    throw ValueError("Dense: units must be a positive integer, got " + std::to_string(units));
}

Shape Dense::compute_output_shape(const Shape& input_shape) const {
  if (input_shape.rank() != 1)
    throw ValueError("Dense '" + name() + "' expects a flat input (None, features), got " +
                     input_shape.with_batch(-1).str() + "; put a Flatten layer before it");
  return Shape{units_};
}

std::vector<WeightSpec> Dense::weight_specs() const {
  std::vector<WeightSpec> specs{{"kernel", Shape{input_shape()[0], units_}, kernel_init_, true}};
  if (use_bias_) specs.push_back({"bias", Shape{units_}, bias_init_, true});
  return specs;
}

void Dense::on_build() {
  in_features_ = input_shape()[0];
}

void Dense::forward(const float* x, float* y, int64_t batch, bool) {
  const float* bias = use_bias_ ? variables_[1].value : nullptr;
  kernels::dense_forward(x, variables_[0].value, bias, y, batch, in_features_, units_, activation_);
}

void Dense::backward(const float* x, const float* y, const float* dy, float* dx, int64_t batch) {
  const float* dz = dy;
  if (activation_ != kernels::Activation::linear) {
    const size_t need = static_cast<size_t>(batch * units_);
    if (static_cast<size_t>(dz_.size()) < need)
      dz_ = Tensor::uninitialized(Shape{static_cast<int64_t>(need)});
    kernels::activation_backward(y, dy, dz_.data(), batch, units_, activation_);
    dz = dz_.data();
  }
  backward_preactivation(x, y, dz, dx, batch);
}

void Dense::backward_preactivation(const float* x, const float*, const float* dz, float* dx,
                                   int64_t batch) {
  float* db = use_bias_ ? variables_[1].gradient : nullptr;
  // With a fused update, each block of the kernel is updated as soon as its gradient is done.
  kernels::SliceCallback kernel_ready;
  if (update_)
    kernel_ready = {[](void* self, const kernels::Slice& tile) {
                      auto* d = static_cast<Dense*>(self);
                      (*d->update_)(d->variables_[0], tile);
                    },
                    this};
  kernels::dense_backward(x, variables_[0].value, dz, variables_[0].gradient, db, dx, batch,
                          in_features_, units_, kernel_ready);
  if (update_ && use_bias_) (*update_)(variables_[1], kernels::Slice{0, 1, units_, units_});
}

nlohmann::json Dense::get_config() const {
  auto c = Layer::get_config();
  c["units"] = units_;
  c["activation"] = activations::name(activation_);
  c["use_bias"] = use_bias_;
  c["kernel_initializer"] = config::serialize(kernel_init_);
  c["bias_initializer"] = config::serialize(bias_init_);
  c["kernel_regularizer"] = nullptr;
  c["bias_regularizer"] = nullptr;
  c["kernel_constraint"] = nullptr;
  c["bias_constraint"] = nullptr;
  return c;
}

}  // namespace keras::layers
