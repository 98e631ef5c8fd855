#include <algorithm>

#include "keras/core/error.hpp"
#include "keras/metrics/metric.hpp"

namespace keras::metrics {

namespace {
int64_t argmax_row(const float* row, int64_t C) {
  int64_t best = 0;
  for (int64_t j = 1; j < C; ++j)
    if (row[j] > row[best]) best = j;
  return best;
}
}  // namespace

void Accuracy::update(const float* y_pred, const float* y_true, int64_t B, int64_t C, bool sparse) {
  if (mode_ == Mode::Auto)
    mode_ = C == 1 ? Mode::Binary : sparse ? Mode::SparseCategorical : Mode::Categorical;
  double correct = 0;
  for (int64_t b = 0; b < B; ++b) {
    const float* row = y_pred + b * C;
    switch (mode_) {
      case Mode::Binary:
        for (int64_t j = 0; j < C; ++j)
          correct += ((row[j] > 0.5f) == (y_true[b * C + j] > 0.5f)) ? 1.0 / double(C) : 0.0;
        break;
      case Mode::SparseCategorical:
        correct += argmax_row(row, C) == static_cast<int64_t>(y_true[b]) ? 1 : 0;
        break;
      case Mode::Categorical:
      case Mode::Auto:
        correct += argmax_row(row, C) == argmax_row(y_true + b * C, C) ? 1 : 0;
        break;
    }
  }
  add(correct, double(B));
}

MetricPtr get(std::string_view name) {
  using M = Accuracy::Mode;
  if (name == "accuracy" || name == "acc")
    return std::make_shared<Accuracy>(std::string(name) == "acc" ? "acc" : "accuracy", M::Auto);
  if (name == "sparse_categorical_accuracy")
    return std::make_shared<Accuracy>(std::string(name), M::SparseCategorical);
  if (name == "categorical_accuracy")
    return std::make_shared<Accuracy>(std::string(name), M::Categorical);
  if (name == "binary_accuracy") return std::make_shared<Accuracy>(std::string(name), M::Binary);
  throw ValueError("Unknown metric '" + std::string(name) +
                   "'. Valid metrics: accuracy (acc), sparse_categorical_accuracy, "
                   "categorical_accuracy, binary_accuracy");
}

}  // namespace keras::metrics
