#include "predictor.hpp"

#include <algorithm>

#include "keras/backend/kernels.hpp"
#include "keras/core/error.hpp"

namespace keras::app {

namespace {

nlohmann::json shape_json(const Shape& shape) {
  auto out = nlohmann::json::array({nullptr});
  for (int64_t d : shape) out.push_back(d);
  return out;
}

}  // namespace

bool outputs_logits(const Sequential& model) {
  return model.layers().empty() ||
         model.layers().back()->final_activation() != kernels::Activation::softmax;
}

nlohmann::json model_json(const Sequential& model) {
  nlohmann::json layers = nlohmann::json::array();
  int64_t trainable = 0, non_trainable = 0;
  for (const auto& layer : model.layers()) {
    int64_t params = 0;
    for (const auto& v : layer->variables()) {
      params += v.size();
      (v.trainable ? trainable : non_trainable) += v.size();
    }
    layers.push_back(
        {{"name", layer->name()},
         {"class_name", layer->class_name()},
         {"output_shape", layer->built() ? shape_json(layer->output_shape()) : nullptr},
         {"params", params},
         {"config", layer->get_config()}});
  }
  const auto input = model.input_shape();
  return {{"name", model.name()},
          {"input_shape", input ? shape_json(*input) : nullptr},
          {"output_shape", model.built() ? shape_json(model.output_shape()) : nullptr},
          {"params",
           {{"total", trainable + non_trainable},
            {"trainable", trainable},
            {"non_trainable", non_trainable}}},
          {"layers", std::move(layers)},
          {"summary", model.summary_string(98)}};
}

Predictor::Predictor(const std::function<Sequential()>& make, int replicas) {
  if (replicas < 1)
    throw ValueError("Predictor: need at least one model replica, got " + std::to_string(replicas));
  replicas_.reserve(static_cast<size_t>(replicas));
  for (int i = 0; i < replicas; ++i) replicas_.push_back(make());
  const Sequential& model = replicas_.front();
  if (!model.built() || model.layers().empty())
    throw ValueError("model '" + model.name() + "' has no input shape; it cannot make predictions");
  input_shape_ = *model.input_shape();
  const Shape out = model.output_shape();
  const auto last = model.layers().back()->final_activation();
  if (out.rank() != 1 || out[0] < 2 ||
      (last != kernels::Activation::softmax && last != kernels::Activation::linear))
    throw ValueError("model '" + model.name() + "' is not a classifier: its output is " +
                     out.with_batch(-1).str() + " from a " + model.layers().back()->class_name() +
                     " layer; kerascpp predicts with models whose last layer gives class scores "
                     "(softmax or logits)");
  num_classes_ = out[0];
  logits_ = outputs_logits(model);
  info_ = model_json(model);
  info_["outputs"] = logits_ ? "logits (softmax applied by kerascpp)" : "probabilities";
  for (auto& r : replicas_) idle_.push_back(&r);
}

Predictor::Lease::Lease(Predictor& owner) : owner_(owner) {
  std::unique_lock lock(owner_.mutex_);
  owner_.returned_.wait(lock, [&] { return !owner_.idle_.empty(); });
  model_ = owner_.idle_.back();
  owner_.idle_.pop_back();
}

Predictor::Lease::~Lease() {
  {
    std::lock_guard lock(owner_.mutex_);
    owner_.idle_.push_back(model_);
  }
  owner_.returned_.notify_one();
}

std::vector<float> Predictor::predict(std::span<const float> x, int64_t n) {
  if (n < 1 || static_cast<int64_t>(x.size()) != n * input_size())
    throw ValueError("Predictor::predict: expected " + std::to_string(n) + " x " +
                     std::to_string(input_size()) + " values, got " + std::to_string(x.size()));
  std::vector<float> out;
  {
    Lease lease(*this);
    const float* y = lease.model().forward(x.data(), n, false);
    out.assign(y, y + n * num_classes_);
  }
  if (logits_)
    kernels::activation_forward(out.data(), n, num_classes_, kernels::Activation::softmax);
  return out;
}

}  // namespace keras::app
