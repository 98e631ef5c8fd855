// Optimizers run one fused loop over the model's flat parameter and gradient buffers.
//
// Optimizer objects are plain option structs, `Adam{.learning_rate = 1e-3}`, `SGD{.momentum =
// 0.9}`; compile() turns them, or "adam"/"sgd", into an Optimizer.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "keras/backend/kernels.hpp"
#include "keras/tensor/ndarray.hpp"

namespace keras::optimizers {

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  /// Keras class name ("Adam") and instance name ("adam").
  virtual std::string class_name() const = 0;
  const std::string& name() const { return name_; }

  /// Allocates zeroed state for n parameters; called by the model once its weights exist.
  void build(int64_t n);
  bool built() const { return built_; }
  /// One update: params -= f(grads), over all n values; then iterations += 1.
  virtual void apply(float* params, const float* grads, int64_t n) = 0;

  /// Optimizers whose update of a value depends only on that value, its gradient and its slots
  /// (Adam, SGD) can run a step in slices, which lets the model fuse the step into the backward
  /// pass: begin_step(); apply_slice() on disjoint slices that together cover the buffer, from
  /// any threads; end_step(). `params` and `grads` are the whole buffers; the slice indexes
  /// them (and the slots) alike.
  virtual bool elementwise() const { return false; }
  virtual void begin_step() {}
  virtual void apply_slice(float* params, const float* grads, const kernels::Slice& slice);
  void end_step() { ++iterations_; }

  int64_t iterations() const { return iterations_; }
  void set_iterations(int64_t n) { iterations_ = n; }
  float learning_rate() const { return learning_rate_; }
  void set_learning_rate(float lr) { learning_rate_ = lr; }

  /// Per-parameter state, each slot n floats over the flat buffer (Adam: momentum, velocity).
  virtual std::vector<std::string> slot_names() const { return {}; }
  std::span<float> slot(size_t i) { return slots_.at(i).flat(); }
  std::span<const float> slot(size_t i) const { return slots_.at(i).flat(); }

  /// Keras get_config().
  virtual nlohmann::json get_config() const;

 protected:
  Optimizer(std::string name, float learning_rate)
      : name_(std::move(name)), learning_rate_(learning_rate) {}
  int64_t iterations_ = 0;

 private:
  std::string name_;
  float learning_rate_;
  std::vector<Tensor> slots_;  // 64-byte aligned, like the parameters they follow
  bool built_ = false;
};

using OptimizerPtr = std::shared_ptr<Optimizer>;

/// Adam with Keras 3's defaults and update rule (epsilon added to sqrt(v)).
struct Adam {
  float learning_rate = 0.001f;
  float beta_1 = 0.9f;
  float beta_2 = 0.999f;
  float epsilon = 1e-7f;
  OptimizerPtr make() const;
};

/// SGD with optional (Nesterov) momentum, Keras 3's rule:
/// m = momentum*m - lr*g; w += m  (nesterov: w += momentum*m - lr*g).
struct SGD {
  float learning_rate = 0.01f;
  float momentum = 0.0f;
  bool nesterov = false;
  OptimizerPtr make() const;
};

/// Resolves "adam" or "sgd" (case-insensitive); unknown names throw keras::ValueError.
OptimizerPtr get(std::string_view name);

}  // namespace keras::optimizers
