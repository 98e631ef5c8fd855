// Layer: the contract every kerascpp layer fulfils (written once here, checked for every layer
// by tests/gradient_check).
//
//   build(input_shape)   input_shape excludes the batch axis. Declares the layer's variables
//                        (weight_specs) and fixes output_shape(). Called once by the model.
//   bind(variables)      The model hands each variable a view into its flat buffers (all
//                        trainable values in one buffer, all gradients in another).
//   forward(x, y, B, training)
//                        x: [B, input_shape...]  y: [B, output_shape...] (preallocated).
//                        training=true enables Dropout and other train-only behaviour.
//   backward(x, y, dy, dx, B)
//                        Given dL/dy, WRITES (not adds) dL/dparam into the bound gradient views
//                        and, if dx is not null, dL/dx. x and y are the forward pass's buffers.
//
// Layers whose output is a view of their input (Flatten, Reshape) return true from
// aliases_input(); the model then passes the same buffer as x and y, and dx == dy.
//
// Fused optimizer step (optional): a layer whose fuses_update() is true may be handed an
// UpdateFn before a training step's backward(); it must then call it exactly once on every
// element of each trainable variable, after writing that element's gradient and once it no
// longer needs the element's old value, so the optimizer runs while both are in cache.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "keras/backend/kernels.hpp"
#include "keras/initializers/initializers.hpp"
#include "keras/tensor/shape.hpp"
#include "keras/utils/random.hpp"

namespace keras::layers {

/// A variable a layer asks for at build time.
struct WeightSpec {
  std::string name;  ///< Keras's variable name: "kernel", "bias", "gamma", "moving_mean", ...
  Shape shape;
  initializers::Kind initializer = initializers::Kind::zeros;
  bool trainable = true;
};

/// A variable after the model placed it: views into the model's flat buffers.
struct Variable {
  std::string name;
  Shape shape;
  float* value = nullptr;
  float* gradient = nullptr;  ///< null for non-trainable variables
  bool trainable = true;
  int64_t size() const { return shape.size(); }
  std::span<float> values() const { return {value, static_cast<size_t>(size())}; }
};

/// Applies the optimizer to a slice of a trainable variable (flat indices into the variable).
/// Safe to call from several threads at once on disjoint slices.
using UpdateFn = std::function<void(const Variable&, const kernels::Slice&)>;

class Layer {
 public:
  virtual ~Layer() = default;

  /// Keras class name: "Dense", "Flatten", ...
  virtual std::string class_name() const = 0;
  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }

  /// The input shape given at construction (Keras's input_shape=), without batch axis.
  const std::optional<Shape>& declared_input_shape() const { return declared_input_shape_; }

  bool built() const { return built_; }
  /// Validates the input shape, declares variables and fixes the output shape.
  void build(const Shape& input_shape);
  const Shape& input_shape() const { return input_shape_; }
  const Shape& output_shape() const { return output_shape_; }
  /// Output shape (without batch) for a given input shape; throws ValueError if incompatible.
  virtual Shape compute_output_shape(const Shape& input_shape) const = 0;

  /// Variables this layer needs, in Keras's order (kernel before bias). Valid after build().
  virtual std::vector<WeightSpec> weight_specs() const { return {}; }
  /// Receives the placed variables (same order as weight_specs()).
  virtual void bind(std::span<Variable> variables);
  const std::vector<Variable>& variables() const { return variables_; }
  /// Number of scalar weights (trainable and not).
  int64_t count_params() const;

  virtual void forward(const float* x, float* y, int64_t batch, bool training) = 0;
  virtual void backward(const float* x, const float* y, const float* dy, float* dx,
                        int64_t batch) = 0;

  /// The activation this layer applies last. When it is softmax and the loss is a
  /// cross-entropy, the model hands the gradient w.r.t. the pre-activation straight to
  /// backward_preactivation (one fused pass instead of two).
  virtual kernels::Activation final_activation() const { return kernels::Activation::linear; }
  virtual void backward_preactivation(const float* x, const float* y, const float* dz, float* dx,
                                      int64_t batch);

  /// Whether backward() applies the update set by set_update() itself (see the top of the file).
  virtual bool fuses_update() const { return false; }
  /// Set by the model around one backward() call; null otherwise.
  void set_update(const UpdateFn* update) { update_ = update; }

  virtual bool aliases_input() const { return false; }
  /// Whether forward() behaves differently when training (Dropout, BatchNormalization).
  virtual bool has_training_behaviour() const { return false; }

  /// Keras get_config(): the constructor arguments as JSON, with Keras's key names.
  virtual nlohmann::json get_config() const;

  /// Draws initial values for the bound variables.
  virtual void initialize_weights(random::Generator& gen);

 protected:
  /// `prefix` is the snake_case class name used for auto-naming ("dense" -> dense, dense_1...).
  Layer(std::string_view prefix, std::string name, std::optional<Shape> input_shape);
  /// Called by build() after the output shape is known; allocate per-layer state here.
  virtual void on_build() {}

  std::vector<Variable> variables_;
  const UpdateFn* update_ = nullptr;

 private:
  std::string name_;
  std::optional<Shape> declared_input_shape_;
  Shape input_shape_, output_shape_;
  bool built_ = false;
};

using LayerPtr = std::shared_ptr<Layer>;

/// Anything Sequential accepts as a layer: a layer value (`Dense(128, "relu")`), moved into
/// shared ownership, or a shared_ptr to one.
class LayerHandle {
 public:
  template <class L>
  requires std::is_base_of_v<Layer, std::remove_cvref_t<L>> LayerHandle(
      L&& layer)  // NOLINT(google-explicit-constructor): Sequential{Dense(...), ...}
      : ptr_(std::make_shared<std::remove_cvref_t<L>>(std::forward<L>(layer))) {}
  template <class L>
  requires std::is_base_of_v<Layer, L> LayerHandle(std::shared_ptr<L> layer)
      : ptr_(std::move(layer)) {}  // NOLINT
  const LayerPtr& get() const { return ptr_; }

 private:
  LayerPtr ptr_;
};

/// Keras's unique default name: "dense", then "dense_1", "dense_2", ... per process.
std::string unique_name(std::string_view prefix);
/// Converts a Keras class name to its snake_case prefix: "MaxPooling2D" -> "max_pooling2d".
std::string to_snake_case(std::string_view class_name);

}  // namespace keras::layers

namespace keras::backend {
/// Resets the auto-naming counters (Keras's keras.backend.clear_session()).
void clear_session();
}  // namespace keras::backend
