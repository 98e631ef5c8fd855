#include <algorithm>
#include <cmath>

#include "keras/config.hpp"
#include "keras/core/error.hpp"
#include "keras/losses/loss.hpp"

namespace keras::losses {
namespace {

constexpr float kEps = config::epsilon();

// Both cross-entropies work on a dense target row; sparse labels are expanded on the fly.
struct TargetRow {
  const float* dense = nullptr;  // [C] or null
  int64_t label = -1;
  float operator[](int64_t j) const { return dense ? dense[j] : (j == label ? 1.0f : 0.0f); }
  float total(int64_t C) const {
    if (!dense) return 1.0f;
    float t = 0;
    for (int64_t j = 0; j < C; ++j) t += dense[j];
    return t;
  }
};

class CrossentropyBase : public LossFunction {
 public:
  CrossentropyBase(bool sparse, bool logits) : sparse_(sparse), logits_(logits) {}
  std::string name() const override {
    return sparse_ ? "sparse_categorical_crossentropy" : "categorical_crossentropy";
  }
  bool sparse_labels() const override { return sparse_; }
  bool from_logits() const override { return logits_; }

  double call(const float* y_pred, const float* y_true, int64_t B, int64_t C) const override {
    double total = 0;
    for (int64_t b = 0; b < B; ++b) {
      const float* row = y_pred + b * C;
      const TargetRow t = target(y_true, b, C);
      double loss = 0;
      if (logits_) {
        const float mx = *std::max_element(row, row + C);
        double sum = 0;
        for (int64_t j = 0; j < C; ++j) sum += std::exp(double(row[j]) - mx);
        const double log_sum = std::log(sum) + mx;
        for (int64_t j = 0; j < C; ++j)
          if (t[j] != 0.0f) loss -= t[j] * (double(row[j]) - log_sum);
      } else {
        float s = 0;
        for (int64_t j = 0; j < C; ++j) s += row[j];
        for (int64_t j = 0; j < C; ++j)
          if (t[j] != 0.0f) loss -= t[j] * std::log(std::clamp(row[j] / s, kEps, 1.0f - kEps));
      }
      total += loss;
    }
    return B ? total / double(B) : 0.0;
  }

  void gradient(const float* y_pred, const float* y_true, float* grad, int64_t B,
                int64_t C) const override {
    const float inv_b = 1.0f / float(B);
    for (int64_t b = 0; b < B; ++b) {
      const float* row = y_pred + b * C;
      float* g = grad + b * C;
      const TargetRow t = target(y_true, b, C);
      if (logits_) {
        softmax_minus_target(row, t, g, C, inv_b, true);
        continue;
      }
      // p = y/s, clipped; L = -sum t log p. dL/dy_k = (sum_j t_j u_j - t_k u_k / p_k... ) / s,
      // where u_j = 1 if p_j was not clipped (a clipped value has zero gradient).
      float s = 0;
      for (int64_t j = 0; j < C; ++j) s += row[j];
      float common = 0;
      for (int64_t j = 0; j < C; ++j) {
        const float p = row[j] / s;
        if (t[j] != 0.0f && p > kEps && p < 1.0f - kEps) common += t[j];
      }
      for (int64_t j = 0; j < C; ++j) {
        const float p = row[j] / s;
        const bool active = p > kEps && p < 1.0f - kEps;
        const float own = (t[j] != 0.0f && active) ? -t[j] / p : 0.0f;
        g[j] = (own + common) / s * inv_b;
      }
    }
  }

  bool softmax_gradient(const float* probabilities, const float* y_true, float* dz, int64_t B,
                        int64_t C) const override {
    if (logits_) return false;
    const float inv_b = 1.0f / float(B);
    for (int64_t b = 0; b < B; ++b) {
      const float* p = probabilities + b * C;
      float* g = dz + b * C;
      const TargetRow t = target(y_true, b, C);
      bool clipped = false;
      for (int64_t j = 0; j < C && !clipped; ++j)
        clipped = t[j] != 0.0f && !(p[j] > kEps && p[j] < 1.0f - kEps);
      if (!clipped) {
        // Unclipped: d/dz of -sum t log softmax(z) = p * sum(t) - t.
        const float total = t.total(C);
        for (int64_t j = 0; j < C; ++j) g[j] = (p[j] * total - t[j]) * inv_b;
      } else {
        // Rare: fall back to the exact chain rule through the clip and the softmax.
        gradient(p, y_true + (sparse_ ? b : b * C), g, 1, C);
        float dot = 0;
        for (int64_t j = 0; j < C; ++j) dot += p[j] * g[j];
        for (int64_t j = 0; j < C; ++j) g[j] = p[j] * (g[j] - dot) * inv_b;
      }
    }
    return true;
  }

  nlohmann::json get_config() const override {
    nlohmann::json c = {
        {"name", name()}, {"reduction", "sum_over_batch_size"}, {"from_logits", logits_}};
    if (!sparse_) c["label_smoothing"] = 0.0;
    c[sparse_ ? "ignore_class" : "axis"] = sparse_ ? nlohmann::json(nullptr) : nlohmann::json(-1);
    return c;
  }

 private:
  TargetRow target(const float* y_true, int64_t b, int64_t C) const {
    if (sparse_) return TargetRow{nullptr, static_cast<int64_t>(y_true[b])};
    return TargetRow{y_true + b * C, -1};
  }
  static void softmax_minus_target(const float* z, const TargetRow& t, float* g, int64_t C,
                                   float scale, bool) {
    const float mx = *std::max_element(z, z + C);
    float sum = 0;
    for (int64_t j = 0; j < C; ++j) sum += (g[j] = std::exp(z[j] - mx));
    const float total = t.total(C);
    for (int64_t j = 0; j < C; ++j) g[j] = (g[j] / sum * total - t[j]) * scale;
  }

  bool sparse_, logits_;
};

class MeanSquaredErrorLoss : public LossFunction {
 public:
  std::string name() const override { return "mean_squared_error"; }
  double call(const float* y_pred, const float* y_true, int64_t B, int64_t C) const override {
    double total = 0;
    for (int64_t i = 0; i < B * C; ++i) {
      const double d = double(y_pred[i]) - y_true[i];
      total += d * d;
    }
    return B ? total / double(B * C) : 0.0;
  }
  void gradient(const float* y_pred, const float* y_true, float* grad, int64_t B,
                int64_t C) const override {
    const float scale = 2.0f / float(B * C);
    for (int64_t i = 0; i < B * C; ++i) grad[i] = (y_pred[i] - y_true[i]) * scale;
  }
  nlohmann::json get_config() const override {
    return {{"name", name()}, {"reduction", "sum_over_batch_size"}};
  }
};

}  // namespace

bool LossFunction::softmax_gradient(const float*, const float*, float*, int64_t, int64_t) const {
  return false;
}
nlohmann::json LossFunction::get_config() const {
  return {{"name", name()}};
}

LossPtr SparseCategoricalCrossentropy::make() const {
  return std::make_shared<CrossentropyBase>(true, from_logits);
}
LossPtr CategoricalCrossentropy::make() const {
  return std::make_shared<CrossentropyBase>(false, from_logits);
}
LossPtr MeanSquaredError::make() const {
  return std::make_shared<MeanSquaredErrorLoss>();
}

LossPtr get(std::string_view name) {
  if (name == "sparse_categorical_crossentropy" || name == "SparseCategoricalCrossentropy")
    return SparseCategoricalCrossentropy{}.make();
  if (name == "categorical_crossentropy" || name == "CategoricalCrossentropy")
    return CategoricalCrossentropy{}.make();
  if (name == "mean_squared_error" || name == "mse" || name == "MeanSquaredError")
    return MeanSquaredError{}.make();
  throw ValueError("Unknown loss '" + std::string(name) +
                   "'. Valid losses: sparse_categorical_crossentropy, categorical_crossentropy, "
                   "mean_squared_error (mse)");
}

}  // namespace keras::losses
