// The layer registry: Keras class name -> factory that builds the layer from its Keras config
// (the `get_config()` JSON, with Keras's key names). It is how a model is created from a Keras
// `config.json` or legacy `model_config`; the file formats themselves live in keras/io.
//
//   auto layer = keras::layers::deserialize(
//       {{"class_name", "Dense"}, {"config", {{"units", 10}, {"activation", "softmax"}}}});
//
// Built-in layers are listed in one table in src/layers/registry.cpp; a new layer adds one line
// there (plus its factory). Applications may register their own classes at run time with
// register_layer (Keras's register_keras_serializable). An unknown class is a
// keras::NotImplementedError that says "layer <Class> is not supported yet".
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keras/layers/layer.hpp"
#include "keras/layers/window.hpp"

namespace keras::layers {

/// One layer's config with typed, validated accessors. Every error names the layer, its class
/// and the key, and is a keras::ValueError (bad value) or NotImplementedError (a Keras option
/// kerascpp does not have).
class LayerConfig {
 public:
  /// Receives warnings about options kerascpp accepts but ignores (e.g. regularizers).
  using WarningHandler = std::function<void(const std::string&)>;

  LayerConfig(std::string class_name, const nlohmann::json& config, WarningHandler warn = nullptr);

  const std::string& class_name() const { return class_name_; }
  const nlohmann::json& raw() const { return config_; }
  /// The layer name, or "" when absent (the layer is then auto-named).
  std::string name() const;
  /// The input shape a first layer declares, without the batch axis: "batch_shape",
  /// "batch_input_shape", "input_shape" or "input_dim"; nullopt when none.
  std::optional<Shape> input_shape() const;

  /// Whether the key is present and not null.
  bool has(std::string_view key) const;
  int64_t get_int(std::string_view key, std::optional<int64_t> fallback = std::nullopt) const;
  /// An integer >= 1 (sizes, units, filters), at most 2^31.
  int64_t get_positive_int(std::string_view key,
                           std::optional<int64_t> fallback = std::nullopt) const;
  /// An axis index in [-9, 9]; Keras 2's one-element list ([3]) is read as that axis, several
  /// axes are a NotImplementedError.
  int64_t get_axis(std::string_view key, int64_t fallback) const;
  double get_number(std::string_view key, std::optional<double> fallback = std::nullopt) const;
  bool get_bool(std::string_view key, std::optional<bool> fallback = std::nullopt) const;
  std::string get_string(std::string_view key,
                         std::optional<std::string> fallback = std::nullopt) const;
  /// An int or a list of `n` positive ints (kernel_size=3 or [3, 3]).
  std::vector<int64_t> get_int_tuple(
      std::string_view key, size_t n,
      std::optional<std::vector<int64_t>> fallback = std::nullopt) const;
  /// get_int_tuple for the 2-D window arguments: kernel_size=3 or [3, 3] -> Size2.
  Size2 get_size2(std::string_view key, std::optional<Size2> fallback = std::nullopt) const;
  /// An activation name, from a string, null (linear) or a serialized activation object.
  /// Unknown activations are a NotImplementedError.
  std::string get_activation(std::string_view key = "activation") const;
  /// An initializer name accepted by keras::initializers::get, from a string or object
  /// (GlorotUniform, VarianceScaling, ...); unknown ones fall back to `fallback`.
  std::string get_initializer(std::string_view key, std::string fallback) const;
  /// Refuses a present, non-null value that differs from what kerascpp implements, e.g.
  /// expect("data_format", "channels_last").
  void expect(std::string_view key, const nlohmann::json& supported) const;
  /// As expect, and a list passes when each entry is `supported`: expect_each("dilation_rate", 1)
  /// accepts 1 and [1, 1].
  void expect_each(std::string_view key, const nlohmann::json& supported) const;

  /// Refuses a present, non-null value (an option that changes results and is not implemented).
  void expect_null(std::string_view key) const;
  /// Warns (once per key) that a present, non-null value is ignored, and why.
  void ignore(std::string_view key, std::string_view why) const;

  [[noreturn]] void fail(const std::string& problem) const;
  void warn(const std::string& message) const;

 private:
  const nlohmann::json* find(std::string_view key) const;
  int64_t to_int(std::string_view key, const nlohmann::json& value) const;
  std::string where(std::string_view key) const;
  std::string class_name_;
  const nlohmann::json& config_;
  WarningHandler warn_;
};

using LayerFactory = std::function<LayerPtr(const LayerConfig&)>;

/// Registers (or replaces) the factory of a Keras class name. `build_config` says whether Keras 3
/// writes a "build_config" for the class: false for layers Keras builds in their constructor
/// (Dropout, pooling layers, Activation), true for the rest (Dense, Conv2D, Flatten...).
void register_layer(const std::string& class_name, LayerFactory factory, bool build_config = true);
bool is_layer_registered(std::string_view class_name);
/// Registered class names, sorted.
std::vector<std::string> registered_layers();

/// Keras's keras.layers.deserialize: {"class_name": ..., "config": {...}} (Keras 2 or 3 form)
/// -> layer. Also checks what every layer shares: dtype float32 (string or DTypePolicy).
/// `warn` receives notes about ignored options (default: printed to stderr).
LayerPtr deserialize(const nlohmann::json& layer_json, LayerConfig::WarningHandler warn = nullptr);

/// Keras 3's serialized form: {"module": "keras.layers", "class_name", "config",
/// "registered_name": null} plus "build_config" once the layer is built (for classes that have
/// one).
nlohmann::json serialize(const Layer& layer);

}  // namespace keras::layers
