#include "keras/layers/activation.hpp"

#include <algorithm>

#include "keras/activations/activations.hpp"

namespace keras::layers {

Activation::Activation(std::string_view activation, ActivationOptions options)
    : Layer("activation", std::move(options.name), std::move(options.input_shape)),
      activation_(activations::get(activation)) {}

std::pair<int64_t, int64_t> Activation::rows_cols(int64_t batch) const {
  const Shape& s = output_shape();
  const int64_t cols = s.empty() ? 1 : s[s.rank() - 1];
  return {batch * s.size() / std::max<int64_t>(1, cols), cols};
}

void Activation::forward(const float* x, float* y, int64_t batch, bool) {
  const auto [rows, cols] = rows_cols(batch);
  std::copy(x, x + rows * cols, y);
  kernels::activation_forward(y, rows, cols, activation_);
}

void Activation::backward(const float*, const float* y, const float* dy, float* dx, int64_t batch) {
  if (!dx) return;
  const auto [rows, cols] = rows_cols(batch);
  kernels::activation_backward(y, dy, dx, rows, cols, activation_);
}

void Activation::backward_preactivation(const float*, const float*, const float* dz, float* dx,
                                        int64_t batch) {
  if (!dx) return;
  const auto [rows, cols] = rows_cols(batch);
  std::copy(dz, dz + rows * cols, dx);
}

nlohmann::json Activation::get_config() const {
  auto c = Layer::get_config();
  c["activation"] = activations::name(activation_);
  return c;
}

}  // namespace keras::layers
