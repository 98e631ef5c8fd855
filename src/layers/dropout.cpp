#include "keras/layers/dropout.hpp"

#include <algorithm>

#include "keras/core/error.hpp"

namespace keras::layers {

Dropout::Dropout(double rate, DropoutOptions options)
    : Layer("dropout", std::move(options.name), std::nullopt),
      rate_(rate),
      seed_(options.seed),
      gen_(options.seed.value_or(0)) {
  if (!(rate >= 0.0 && rate <= 1.0))
    throw ValueError("Dropout: rate must be a number in [0, 1], got " + std::to_string(rate));
}

void Dropout::initialize_weights(random::Generator& gen) {
  // The mask stream is drawn from the global seed when the model is built, unless fixed.
  gen_ = seed_ ? random::Generator(*seed_) : random::Generator(gen.next_u64());
}

void Dropout::forward(const float* x, float* y, int64_t batch, bool training) {
  const int64_t n = batch * output_shape().size();
  last_training_ = training && rate_ > 0.0;
  if (!last_training_) {
    if (x != y) std::copy(x, x + n, y);
    return;
  }
  if (mask_.size() < static_cast<size_t>(n)) mask_.resize(static_cast<size_t>(n));
  kernels::dropout_forward(x, y, mask_.data(), n, static_cast<float>(1.0 - rate_), gen_.next_u64());
}

void Dropout::backward(const float*, const float*, const float* dy, float* dx, int64_t batch) {
  if (!dx) return;
  const int64_t n = batch * output_shape().size();
  if (!last_training_) {
    if (dx != dy) std::copy(dy, dy + n, dx);
    return;
  }
  for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * mask_[static_cast<size_t>(i)];
}

nlohmann::json Dropout::get_config() const {
  auto c = Layer::get_config();
  c["rate"] = rate_;
  c["seed"] = seed_ ? nlohmann::json(*seed_) : nlohmann::json(nullptr);
  c["noise_shape"] = nullptr;
  return c;
}

}  // namespace keras::layers
