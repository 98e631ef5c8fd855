// Metrics: running means over all samples since the last reset, as Keras reports them.
// "accuracy" is resolved the way Keras resolves it, from the shapes of the first batch.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace keras::metrics {

class Metric {
 public:
  virtual ~Metric() = default;
  /// Name shown in logs and History ("accuracy", "loss", ...).
  const std::string& name() const { return name_; }
  virtual void reset() {
    total_ = 0;
    count_ = 0;
  }
  /// y_pred [B, C]; y_true [B] class indices or [B, C]; sparse says which.
  virtual void update(const float* y_pred, const float* y_true, int64_t B, int64_t C,
                      bool sparse) = 0;
  double result() const { return count_ > 0 ? total_ / count_ : 0.0; }

 protected:
  explicit Metric(std::string name) : name_(std::move(name)) {}
  void add(double value, double weight) {
    total_ += value;
    count_ += weight;
  }

 private:
  std::string name_;
  double total_ = 0, count_ = 0;
};

/// Weighted mean of scalar values: the loss tracker (each batch weighted by its size).
class Mean : public Metric {
 public:
  explicit Mean(std::string name) : Metric(std::move(name)) {}
  void update_value(double value, double weight) { add(value * weight, weight); }
  void update(const float*, const float*, int64_t, int64_t, bool) override {}
};

/// Accuracy in one of Keras's three forms; `Auto` picks one from the first batch's shapes:
/// last dimension 1 -> binary, sparse labels -> sparse categorical, else categorical.
class Accuracy : public Metric {
 public:
  enum class Mode { Auto, Binary, SparseCategorical, Categorical };
  Accuracy(std::string name, Mode mode) : Metric(std::move(name)), mode_(mode) {}
  void update(const float* y_pred, const float* y_true, int64_t B, int64_t C, bool sparse) override;
  Mode mode() const { return mode_; }

 private:
  Mode mode_;
};

using MetricPtr = std::shared_ptr<Metric>;

/// Resolves a Keras identifier: "accuracy"/"acc", "sparse_categorical_accuracy",
/// "categorical_accuracy", "binary_accuracy". Unknown names throw keras::ValueError.
MetricPtr get(std::string_view name);

}  // namespace keras::metrics
