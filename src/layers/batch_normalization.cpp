#include "keras/layers/batch_normalization.hpp"

#include <cmath>
#include <cstring>

#include "config_writers.hpp"
#include "keras/core/error.hpp"

namespace keras::layers {

BatchNormalization::BatchNormalization(BatchNormalizationOptions o)
    : Layer("batch_normalization", std::move(o.name), std::move(o.input_shape)),
      axis_(o.axis),
      momentum_(o.momentum),
      epsilon_(o.epsilon),
      center_(o.center),
      scale_(o.scale),
      beta_init_(initializers::get(o.beta_initializer)),
      gamma_init_(initializers::get(o.gamma_initializer)),
      mean_init_(initializers::get(o.moving_mean_initializer)),
      var_init_(initializers::get(o.moving_variance_initializer)) {
  if (!(epsilon_ > 0.0))
    throw ValueError("BatchNormalization: epsilon must be positive, got " +
                     std::to_string(epsilon_));
}

Shape BatchNormalization::compute_output_shape(const Shape& in) const {
  if (in.empty())
    throw ValueError("BatchNormalization '" + name() + "' needs inputs with a feature axis, got " +
                     in.with_batch(-1).str());
  if (axis_ != -1 && axis_ != static_cast<int>(in.rank()))
    throw NotImplementedError("BatchNormalization '" + name() + "': axis=" + std::to_string(axis_) +
                              " is not supported for input " + in.with_batch(-1).str() +
                              "; kerascpp normalises the last axis (axis=-1, channels_last)");
  return in;
}

std::vector<WeightSpec> BatchNormalization::weight_specs() const {
  const Shape c{input_shape()[input_shape().rank() - 1]};
  std::vector<WeightSpec> specs;
  if (scale_) specs.push_back({"gamma", c, gamma_init_, true});
  if (center_) specs.push_back({"beta", c, beta_init_, true});
  specs.push_back({"moving_mean", c, mean_init_, false});
  specs.push_back({"moving_variance", c, var_init_, false});
  return specs;
}

void BatchNormalization::on_build() {
  channels_ = input_shape()[input_shape().rank() - 1];
  mean_.assign(size_t(channels_), 0.0f);
  inv_std_.assign(size_t(channels_), 1.0f);
}

const Variable* BatchNormalization::variable(const char* name) const {
  for (const auto& v : variables_)
    if (v.name == name) return &v;
  return nullptr;
}

// x, y: [R, C] with R = batch * pixels rows of C channels.
void BatchNormalization::forward(const float* x, float* y, int64_t batch, bool training) {
  const int64_t C = channels_, R = batch * input_shape().size() / C;
  const float* gamma = scale_ ? variable("gamma")->value : nullptr;
  const float* beta = center_ ? variable("beta")->value : nullptr;
  float* moving_mean = variable("moving_mean")->value;
  float* moving_var = variable("moving_variance")->value;
  last_training_ = training;
  if (training) {
    std::vector<double> sum(size_t(C), 0.0), sq(size_t(C), 0.0);
    for (int64_t r = 0; r < R; ++r)
      for (int64_t c = 0; c < C; ++c) sum[size_t(c)] += x[r * C + c];
    for (int64_t c = 0; c < C; ++c) sum[size_t(c)] /= double(R);
    for (int64_t r = 0; r < R; ++r)
      for (int64_t c = 0; c < C; ++c) {
        const double d = x[r * C + c] - sum[size_t(c)];
        sq[size_t(c)] += d * d;
      }
    const float m = static_cast<float>(momentum_);
    for (int64_t c = 0; c < C; ++c) {
      const double var = sq[size_t(c)] / double(R);
      mean_[size_t(c)] = static_cast<float>(sum[size_t(c)]);
      inv_std_[size_t(c)] = static_cast<float>(1.0 / std::sqrt(var + epsilon_));
      moving_mean[c] = moving_mean[c] * m + static_cast<float>(sum[size_t(c)]) * (1.0f - m);
      moving_var[c] = moving_var[c] * m + static_cast<float>(var) * (1.0f - m);
    }
  } else {
    for (int64_t c = 0; c < C; ++c) {
      mean_[size_t(c)] = moving_mean[c];
      inv_std_[size_t(c)] = static_cast<float>(1.0 / std::sqrt(double(moving_var[c]) + epsilon_));
    }
  }
  for (int64_t r = 0; r < R; ++r)
    for (int64_t c = 0; c < C; ++c) {
      const float xhat = (x[r * C + c] - mean_[size_t(c)]) * inv_std_[size_t(c)];
      y[r * C + c] = (gamma ? gamma[c] : 1.0f) * xhat + (beta ? beta[c] : 0.0f);
    }
}

void BatchNormalization::backward(const float* x, const float*, const float* dy, float* dx,
                                  int64_t batch) {
  const int64_t C = channels_, R = batch * input_shape().size() / C;
  const Variable* gamma = scale_ ? variable("gamma") : nullptr;
  const Variable* beta = center_ ? variable("beta") : nullptr;
  // dbeta = sum dy, dgamma = sum dy * xhat (per channel).
  std::vector<double> dbeta(size_t(C), 0.0), dgamma(size_t(C), 0.0);
  for (int64_t r = 0; r < R; ++r)
    for (int64_t c = 0; c < C; ++c) {
      const double d = dy[r * C + c];
      dbeta[size_t(c)] += d;
      dgamma[size_t(c)] += d * (x[r * C + c] - mean_[size_t(c)]) * inv_std_[size_t(c)];
    }
  for (int64_t c = 0; c < C; ++c) {
    if (gamma) gamma->gradient[c] = static_cast<float>(dgamma[size_t(c)]);
    if (beta) beta->gradient[c] = static_cast<float>(dbeta[size_t(c)]);
  }
  if (!dx) return;
  for (int64_t c = 0; c < C; ++c) {
    const float g = gamma ? gamma->value[c] : 1.0f;
    const float scale = g * inv_std_[size_t(c)];
    // Training: the batch statistics depend on x too, which removes the mean of dy and its
    // component along xhat: dx = g/sigma * (dy - mean(dy) - xhat * mean(dy * xhat)).
    const float mean_dy = last_training_ ? static_cast<float>(dbeta[size_t(c)] / double(R)) : 0.0f;
    const float mean_dy_xhat =
        last_training_ ? static_cast<float>(dgamma[size_t(c)] / double(R)) : 0.0f;
    for (int64_t r = 0; r < R; ++r) {
      const float xhat = (x[r * C + c] - mean_[size_t(c)]) * inv_std_[size_t(c)];
      dx[r * C + c] = scale * (dy[r * C + c] - mean_dy - xhat * mean_dy_xhat);
    }
  }
}

nlohmann::json BatchNormalization::get_config() const {
  auto c = Layer::get_config();
  c["axis"] = axis_;
  c["momentum"] = momentum_;
  c["epsilon"] = epsilon_;
  c["center"] = center_;
  c["scale"] = scale_;
  c["beta_initializer"] = config::serialize(beta_init_);
  c["gamma_initializer"] = config::serialize(gamma_init_);
  c["moving_mean_initializer"] = config::serialize(mean_init_);
  c["moving_variance_initializer"] = config::serialize(var_init_);
  for (const char* k :
       {"beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint"})
    c[k] = nullptr;
  c["synchronized"] = false;
  return c;
}

}  // namespace keras::layers
