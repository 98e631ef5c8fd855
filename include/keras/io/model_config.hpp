// Model architecture and compile settings as Keras JSON, both directions: what kerascpp writes
// into config.json (Keras 3) or the model_config / training_config attributes (legacy .h5),
// and how any Keras 2.x/3.x variant of them becomes a Sequential.
//
//   auto model = keras::io::model_from_json(R"({"class_name": "Sequential", "config": {...}})");
//
// Accepted variants: with or without an InputLayer (Keras 2.2/2.3 put `batch_input_shape` on the
// first layer), `batch_input_shape` or `batch_shape`, dtype strings or DTypePolicy objects,
// extra keys (module, registered_name, build_config, quantization_config...), and Keras 2's
// list-of-layers config. Only Sequential models are supported.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "keras/models/sequential.hpp"

namespace keras::io {

struct LoadOptions {
  /// Compile the loaded model from its saved compile settings (Keras's compile=True). When
  /// the optimizer, loss or a metric is not available in kerascpp, the model loads uncompiled
  /// and a warning says why.
  bool compile = true;
  /// Refuse architectures with more weights than this (guards against hostile configs).
  int64_t max_params = int64_t(1) << 32;
  /// Receives warnings (ignored options, optimizer state not restored, ...). Default: stderr.
  std::function<void(const std::string&)> on_warning = nullptr;
};

enum class ConfigStyle {
  keras3,  ///< config.json: layers carry module, registered_name, build_config
  legacy,  ///< .h5 model_config: {"class_name", "config"} only
};

/// The model's config: {"class_name": "Sequential", "config": {...}} (Keras 3 adds "module",
/// "registered_name" and "build_config"). The model must be built.
nlohmann::json model_to_config(const Sequential& model, ConfigStyle style = ConfigStyle::keras3);
/// Keras 3's "compile_config" (null when the model is not compiled).
nlohmann::json compile_config(const Sequential& model);
/// The legacy .h5 "training_config" (null when the model is not compiled).
nlohmann::json training_config(const Sequential& model);

/// A new, built (if the config gives an input shape), uncompiled model with fresh weights.
Sequential model_from_config(const nlohmann::json& config, const LoadOptions& options = {});
/// As model_from_config, from JSON text. Invalid JSON is a keras::ValueError.
Sequential model_from_json(std::string_view json_text, const LoadOptions& options = {});

/// Compiles `model` from a Keras 3 compile_config (legacy=false) or a legacy training_config
/// (legacy=true). Returns false, after a warning, when something in it is not supported.
bool compile_from_config(Sequential& model, const nlohmann::json& config, bool legacy,
                         const LoadOptions& options = {});

}  // namespace keras::io
