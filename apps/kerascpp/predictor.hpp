// Predictor: thread-safe class probabilities from a trained model, for `kerascpp predict` and
// the HTTP server. Sequential::forward keeps its activations in a per-model workspace, so one
// model object cannot serve two threads at once; the predictor holds one replica per worker
// thread (same weights, own workspace) and lends each call a free one. No lock is held while
// the model computes, so N workers run N predictions in parallel.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <span>
#include <vector>

#include "keras/models/sequential.hpp"

namespace keras::app {

/// The model as JSON: name, input/output shapes (null for the batch axis), parameter counts,
/// each layer's name, class, output shape, parameters and Keras config, and the summary table.
nlohmann::json model_json(const Sequential& model);

/// Whether the model's last layer gives logits (no softmax): its scores need a softmax to become
/// probabilities, and its loss needs from_logits.
bool outputs_logits(const Sequential& model);

class Predictor {
 public:
  /// `make` is called `replicas` times; each call must return the same built model (e.g. by
  /// loading the same file). Throws keras::ValueError if the model is not a classifier
  /// (its output must be a vector of class scores from softmax or a linear layer).
  Predictor(const std::function<Sequential()>& make, int replicas);

  /// Input shape of one sample (without the batch axis) and its number of values.
  const Shape& input_shape() const { return input_shape_; }
  int64_t input_size() const { return input_shape_.size(); }
  int64_t num_classes() const { return num_classes_; }
  /// model_json() of the model, plus how its outputs become probabilities.
  const nlohmann::json& info() const { return info_; }

  /// Class probabilities [n, num_classes()] for n samples laid out as [n, input_size()].
  /// Thread-safe; waits while every replica is busy. A model that ends in logits gets a softmax.
  std::vector<float> predict(std::span<const float> x, int64_t n);

 private:
  /// A replica taken from idle_ for one call and given back on destruction.
  class Lease {
   public:
    explicit Lease(Predictor& owner);
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Sequential& model() { return *model_; }

   private:
    Predictor& owner_;
    Sequential* model_ = nullptr;
  };

  std::vector<Sequential> replicas_;
  std::vector<Sequential*> idle_;
  std::mutex mutex_;
  std::condition_variable returned_;
  Shape input_shape_;
  int64_t num_classes_ = 0;
  bool logits_ = false;
  nlohmann::json info_;
};

}  // namespace keras::app
