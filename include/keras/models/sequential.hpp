// Sequential: a stack of layers built at run time, with Keras's compile / fit / evaluate /
// predict / summary.
//
//   keras::Sequential model{Flatten({28, 28}), Dense(128, "relu"), Dropout(0.2),
//                           Dense(10, "softmax")};
//   model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
//   auto history = model.fit(x_train, y_train, {.epochs = 5, .validation_split = 0.1});
//
// All trainable weights live in one flat buffer and all their gradients in another (layers
// hold views), so an optimizer step is one loop, a checkpoint one write, and a future
// all-reduce across processes one call. Activations live in a workspace allocated when the
// batch size first grows; the training loop itself allocates nothing.
#pragma once

#include <filesystem>
#include <initializer_list>
#include <iostream>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "keras/callbacks/callback.hpp"
#include "keras/callbacks/history.hpp"
#include "keras/layers/layer.hpp"
#include "keras/losses/loss.hpp"
#include "keras/metrics/metric.hpp"
#include "keras/optimizers/optimizer.hpp"
#include "keras/tensor/ndarray.hpp"

namespace keras::models {

/// An optimizer argument: "adam", an option struct such as `Adam{.learning_rate = 1e-3}`, or a
/// ready Optimizer.
class OptimizerHandle {
 public:
  OptimizerHandle(const char* name);         // NOLINT(google-explicit-constructor)
  OptimizerHandle(const std::string& name);  // NOLINT
  template <class T>
  requires requires(const T& t) {
    { t.make() } -> std::convertible_to<optimizers::OptimizerPtr>;
  }
  OptimizerHandle(const T& options) : ptr_(options.make()) {}  // NOLINT
  OptimizerHandle(optimizers::OptimizerPtr ptr);               // NOLINT
  const optimizers::OptimizerPtr& get() const { return ptr_; }

 private:
  optimizers::OptimizerPtr ptr_;
};

/// A loss argument: "sparse_categorical_crossentropy", an option struct such as
/// `SparseCategoricalCrossentropy{.from_logits = true}`, or a ready LossFunction.
class LossHandle {
 public:
  LossHandle(const char* name);         // NOLINT
  LossHandle(const std::string& name);  // NOLINT
  template <class T>
  requires requires(const T& t) {
    { t.make() } -> std::convertible_to<losses::LossPtr>;
  }
  LossHandle(const T& options) : ptr_(options.make()) {}  // NOLINT
  LossHandle(losses::LossPtr ptr);                        // NOLINT
  const losses::LossPtr& get() const { return ptr_; }

 private:
  losses::LossPtr ptr_;
};

struct FitOptions {
  int epochs = 1;
  int batch_size = 32;
  /// Fraction of the data (the last rows, taken before shuffling) held out for validation.
  double validation_split = 0.0;
  /// Explicit (x_val, y_val); takes precedence over validation_split.
  std::optional<std::pair<Tensor, Tensor>> validation_data = std::nullopt;
  bool shuffle = true;
  int verbose = 1;  ///< 0 silent, 1 progress bar, 2 one line per epoch
  std::vector<callbacks::CallbackPtr> callbacks = {};
  int initial_epoch = 0;
};

struct EvaluateOptions {
  int batch_size = 32;
  int verbose = 1;
  std::vector<callbacks::CallbackPtr> callbacks = {};
};

struct PredictOptions {
  int batch_size = 32;
  int verbose = 1;
};

class Sequential {
 public:
  Sequential(std::initializer_list<layers::LayerHandle> layers = {}, std::string name = "");
  explicit Sequential(const std::vector<layers::LayerPtr>& layers, std::string name = "");
  Sequential(const Sequential&) = delete;  // layers hold views into this model's buffers
  Sequential& operator=(const Sequential&) = delete;
  Sequential(Sequential&&) noexcept;
  Sequential& operator=(Sequential&&) noexcept;
  ~Sequential();

  void add(layers::LayerHandle layer);
  const std::string& name() const { return name_; }
  /// The layers, without the InputLayer (as Keras's model.layers).
  const std::vector<layers::LayerPtr>& layers() const { return layers_; }
  /// The layer with this name; throws ValueError listing the names if there is none.
  layers::LayerPtr get_layer(std::string_view name) const;

  /// Builds every layer for this input shape (without the batch axis) and allocates and
  /// initialises the weights. Called by fit/predict if the first layer declared its shape.
  void build(const Shape& input_shape);
  bool built() const { return built_; }
  /// Input shape without the batch axis (valid once built or declared).
  std::optional<Shape> input_shape() const;
  Shape output_shape() const;
  /// The InputLayer name ("input_layer"), if the model has one or got one from input_shape=.
  const std::string& input_name() const { return input_name_; }

  void compile(OptimizerHandle optimizer, LossHandle loss, std::vector<std::string> metrics = {});
  bool compiled() const { return static_cast<bool>(loss_); }
  optimizers::Optimizer& optimizer() const;
  const losses::LossFunction& loss() const;
  /// The compiled metric names, e.g. {"accuracy"}.
  const std::vector<std::string>& metric_names() const { return metric_names_; }

  /// Trains; y holds class indices (any integer or float array) or targets shaped like the
  /// output. Returns the History (loss and metrics per epoch, val_* with validation).
  callbacks::History fit(const Tensor& x, const Tensor& y, FitOptions options = {});
  template <ArrayElement T>
  callbacks::History fit(const Tensor& x, const NDArray<T>& y, FitOptions options = {}) {
    return fit(x, y.template astype<float>(), std::move(options));
  }

  /// Returns [loss, metric...] in Keras's order (loss first, then compiled metrics).
  std::vector<double> evaluate(const Tensor& x, const Tensor& y, EvaluateOptions options = {});
  template <ArrayElement T>
  std::vector<double> evaluate(const Tensor& x, const NDArray<T>& y, EvaluateOptions options = {}) {
    return evaluate(x, y.template astype<float>(), std::move(options));
  }

  /// Model outputs for x (inference mode), computed in batches.
  Tensor predict(const Tensor& x, PredictOptions options = {});

  /// Prints the Keras summary table (stdout by default).
  void summary(std::ostream& out = std::cout) const;
  std::string summary_string(std::optional<int> line_length = std::nullopt,
                             bool styled = false) const;

  int64_t count_params() const;

  // --- Weights -----------------------------------------------------------------------------
  /// Every variable in Keras's order (layer by layer; within a layer kernel, bias, ...).
  std::vector<layers::Variable> variables() const;
  /// Copies of the weights, Keras's get_weights().
  std::vector<Tensor> get_weights() const;
  /// Sets every weight; shapes must match get_weights().
  void set_weights(const std::vector<Tensor>& weights);
  /// The flat trainable parameter buffer and its gradient buffer.
  std::span<float> trainable_buffer() { return params_.flat(); }
  std::span<const float> trainable_buffer() const { return params_.flat(); }
  std::span<float> gradient_buffer() { return grads_.flat(); }
  std::span<float> non_trainable_buffer() { return frozen_.flat(); }

  // --- Files (the formats live in keras/io; see docs/keras-files.md) -----------------------
  /// Saves architecture, weights, compile settings and optimizer state: "x.keras" (Keras 3
  /// native format) or "x.h5" (legacy HDF5). The file is written to a temporary name and
  /// renamed, so it is never half-written. Load it with keras::models::load_model.
  void save(const std::filesystem::path& path) const;
  /// Saves the weights (and optimizer state, when compiled): "x.weights.h5" (Keras 3 layout)
  /// or another "x.h5" (legacy weights-only layout).
  void save_weights(const std::filesystem::path& path) const;
  /// Loads weights into this built model from a .weights.h5, legacy .h5 or .keras file written
  /// by kerascpp or Keras, matching layers by position; restores the optimizer state when the
  /// model is compiled and the saved state fits.
  void load_weights(const std::filesystem::path& path);

  /// Set by callbacks (EarlyStopping) to end fit after the current epoch.
  bool stop_training = false;

  /// One optimisation step on a batch already laid out as [B, ...]; returns the batch loss.
  /// Updates the loss tracker and metrics (used by fit; public for tests and custom loops).
  double train_on_batch(const float* x, const float* y, int64_t batch);
  /// Forward pass of one batch in inference (training=false) or training mode; returns a
  /// pointer to the output [B, output...], valid until the next call.
  const float* forward(const float* x, int64_t batch, bool training);

 private:
  struct Workspace;
  void require_built(const char* what) const;
  void require_compiled(const char* what) const;
  void ensure_workspace(int64_t batch);
  void check_inputs(const Tensor& x, const Tensor& y, const char* what) const;
  void backward(const float* x, const float* y_true, int64_t batch, const layers::UpdateFn* update);
  void reset_metrics();
  callbacks::Logs metric_logs(const std::string& prefix = "") const;
  void update_metrics(const float* y_pred, const float* y_true, int64_t batch, double loss);
  std::vector<double> run_evaluate(const Tensor& x, const Tensor& y, int batch_size,
                                   const std::vector<callbacks::CallbackPtr>& callbacks);

  std::string name_;
  std::string input_name_;
  std::optional<Shape> declared_input_shape_;
  std::vector<layers::LayerPtr> layers_;
  bool built_ = false;

  Tensor params_, grads_, frozen_;

  optimizers::OptimizerPtr optimizer_;
  losses::LossPtr loss_;
  std::vector<std::string> metric_names_;
  std::shared_ptr<metrics::Mean> loss_tracker_;
  std::vector<metrics::MetricPtr> metrics_;

  std::unique_ptr<Workspace> ws_;
};

}  // namespace keras::models

namespace keras {
using models::Sequential;
}
