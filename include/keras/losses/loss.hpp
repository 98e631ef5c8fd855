// Losses: sparse_categorical_crossentropy, categorical_crossentropy, mean_squared_error, with
// Keras's formulas (probability renormalisation and clipping to [eps, 1-eps]) and the
// "sum_over_batch_size" reduction (mean over the batch).
//
// Loss objects are plain option structs, `SparseCategoricalCrossentropy{.from_logits = true}`;
// compile() turns them, or a Keras string identifier, into a LossFunction.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace keras::losses {

/// The computation behind a loss. y_pred is [B, C]; y_true is [B] class indices (stored as
/// floats) when sparse_labels(), else [B, C].
class LossFunction {
 public:
  virtual ~LossFunction() = default;
  /// Keras's name: "sparse_categorical_crossentropy", ...
  virtual std::string name() const = 0;
  virtual bool sparse_labels() const { return false; }
  /// Whether y_pred is expected to be logits (the loss applies softmax itself).
  virtual bool from_logits() const { return false; }
  /// Mean over the batch of the per-sample losses.
  virtual double call(const float* y_pred, const float* y_true, int64_t B, int64_t C) const = 0;
  /// grad[B, C] = d(mean loss)/d(y_pred).
  virtual void gradient(const float* y_pred, const float* y_true, float* grad, int64_t B,
                        int64_t C) const = 0;
  /// For losses applied to softmax outputs: dz[B, C] = d(mean loss)/d(softmax input), computed
  /// in one pass from the probabilities. Returns false if this loss has no fused form.
  virtual bool softmax_gradient(const float* probabilities, const float* y_true, float* dz,
                                int64_t B, int64_t C) const;
  /// Keras get_config() of the loss object.
  virtual nlohmann::json get_config() const;
};

using LossPtr = std::shared_ptr<LossFunction>;

/// Integer labels against probabilities (or logits): -log p[label].
struct SparseCategoricalCrossentropy {
  bool from_logits = false;
  LossPtr make() const;
};
/// One-hot (or soft) targets against probabilities (or logits): -sum t log p.
struct CategoricalCrossentropy {
  bool from_logits = false;
  LossPtr make() const;
};
/// mean((y_pred - y_true)^2) over the last axis.
struct MeanSquaredError {
  LossPtr make() const;
};

/// Resolves a Keras identifier ("sparse_categorical_crossentropy", "mse", ...). Unknown names
/// throw keras::ValueError listing the valid ones.
LossPtr get(std::string_view name);

}  // namespace keras::losses
