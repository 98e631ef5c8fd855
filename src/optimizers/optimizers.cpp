#include <algorithm>
#include <cctype>
#include <cmath>

#include "keras/backend/kernels.hpp"
#include "keras/core/error.hpp"
#include "keras/optimizers/optimizer.hpp"

namespace keras::optimizers {

void Optimizer::build(int64_t n) {
  slots_.clear();
  for (size_t i = 0; i < slot_names().size(); ++i) slots_.emplace_back(Shape{n});
  iterations_ = 0;
  built_ = true;
}

void Optimizer::apply_slice(float*, const float*, const kernels::Slice&) {
  throw NotImplementedError("Optimizer '" + name_ + "' (" + class_name() +
                            ") cannot update slices of the parameters; call apply()");
}

nlohmann::json Optimizer::get_config() const {
  return {{"name", name_},
          {"learning_rate", learning_rate_},
          {"weight_decay", nullptr},
          {"clipnorm", nullptr},
          {"global_clipnorm", nullptr},
          {"clipvalue", nullptr},
          {"use_ema", false},
          {"ema_momentum", 0.99},
          {"ema_overwrite_frequency", nullptr},
          {"loss_scale_factor", nullptr},
          {"gradient_accumulation_steps", nullptr}};
}

namespace {

class AdamOptimizer : public Optimizer {
 public:
  explicit AdamOptimizer(const Adam& o) : Optimizer("adam", o.learning_rate), o_(o) {
    if (!(o.learning_rate > 0) || !(o.beta_1 >= 0 && o.beta_1 < 1) ||
        !(o.beta_2 >= 0 && o.beta_2 < 1) || !(o.epsilon >= 0))
      throw ValueError("Adam: need learning_rate > 0, 0 <= beta_1, beta_2 < 1 and epsilon >= 0");
  }
  std::string class_name() const override { return "Adam"; }
  std::vector<std::string> slot_names() const override { return {"momentum", "velocity"}; }
  void apply(float* params, const float* grads, int64_t n) override {
    begin_step();
    apply_slice(params, grads, kernels::Slice{0, 1, n, n});
    end_step();
  }
  bool elementwise() const override { return true; }
  void begin_step() override {
    const double t = double(iterations_ + 1);
    alpha_ = static_cast<float>(learning_rate() * std::sqrt(1.0 - std::pow(double(o_.beta_2), t)) /
                                (1.0 - std::pow(double(o_.beta_1), t)));
  }
  void apply_slice(float* params, const float* grads, const kernels::Slice& s) override {
    kernels::adam_update(params, grads, slot(0).data(), slot(1).data(), s, alpha_, o_.beta_1,
                         o_.beta_2, o_.epsilon);
  }
  nlohmann::json get_config() const override {
    auto c = Optimizer::get_config();
    c["beta_1"] = o_.beta_1;
    c["beta_2"] = o_.beta_2;
    c["epsilon"] = o_.epsilon;
    c["amsgrad"] = false;
    return c;
  }

 private:
  Adam o_;
  float alpha_ = 0;  // this step's learning rate with Adam's bias correction folded in
};

class SGDOptimizer : public Optimizer {
 public:
  explicit SGDOptimizer(const SGD& o) : Optimizer("SGD", o.learning_rate), o_(o) {
    if (!(o.learning_rate > 0) || !(o.momentum >= 0 && o.momentum <= 1))
      throw ValueError("SGD: need learning_rate > 0 and momentum in [0, 1]");
  }
  std::string class_name() const override { return "SGD"; }
  std::vector<std::string> slot_names() const override {
    return o_.momentum > 0 ? std::vector<std::string>{"momentum"} : std::vector<std::string>{};
  }
  void apply(float* params, const float* grads, int64_t n) override {
    apply_slice(params, grads, kernels::Slice{0, 1, n, n});
    end_step();
  }
  bool elementwise() const override { return true; }
  void apply_slice(float* params, const float* grads, const kernels::Slice& s) override {
    const float lr = learning_rate(), mu = o_.momentum;
    float* m = mu > 0 ? slot(0).data() : nullptr;
    for (int64_t r = 0; r < s.rows; ++r)
      for (int64_t i = s.offset + r * s.stride, end = i + s.cols; i < end; ++i) {
        if (m) {
          m[i] = mu * m[i] - lr * grads[i];
          params[i] += o_.nesterov ? mu * m[i] - lr * grads[i] : m[i];
        } else {
          params[i] -= lr * grads[i];
        }
      }
  }
  nlohmann::json get_config() const override {
    auto c = Optimizer::get_config();
    c["momentum"] = o_.momentum;
    c["nesterov"] = o_.nesterov;
    return c;
  }

 private:
  SGD o_;
};

}  // namespace

OptimizerPtr Adam::make() const {
  return std::make_shared<AdamOptimizer>(*this);
}
OptimizerPtr SGD::make() const {
  return std::make_shared<SGDOptimizer>(*this);
}

OptimizerPtr get(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (lower == "adam") return Adam{}.make();
  if (lower == "sgd") return SGD{}.make();
  throw ValueError("Unknown optimizer '" + std::string(name) + "'. Valid optimizers: adam, sgd");
}

}  // namespace keras::optimizers
