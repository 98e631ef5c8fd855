// Internal helpers shared by the Keras file formats.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "keras/io/model_config.hpp"
#include "keras/layers/layer.hpp"

namespace keras::io::detail {

/// The Keras version whose formats kerascpp writes (what metadata.json and the .h5 attributes
/// claim); files in this layout were checked to load in Keras 3.3 to 3.15.
inline constexpr const char* kKerasVersion = "3.10.0";
inline constexpr const char* kBackend = "tensorflow";

/// A parsed model config before any weight is allocated: layers are built (shapes known), so
/// their weight_specs() can be checked against a file first.
struct ModelSpec {
  std::string name;
  std::vector<layers::LayerPtr> layers;  ///< without the InputLayer
  std::optional<Shape> input_shape;
  std::string input_name;
};

ModelSpec parse_model_spec(const nlohmann::json& config, const LoadOptions& options);
/// Creates the Sequential of a spec (built when the input shape is known).
Sequential realize(ModelSpec spec);

void warn(const LoadOptions& options, const std::string& message);

/// Parses JSON text; errors become keras::ValueError naming `what`.
nlohmann::json parse_json(std::string_view text, const std::string& what);

/// Keras 3's per-list object names: snake_case class name, then _1, _2... per class.
std::vector<std::string> keras3_layer_paths(const std::vector<layers::LayerPtr>& layers);

/// Order of a layer's variables in Keras files: trainable first, then non-trainable
/// (indices into layer.weight_specs()).
std::vector<size_t> keras_variable_order(const layers::Layer& layer);

/// Checks what savers rely on: built, and names Keras accepts (non-empty, no '/').
void check_saveable(const Sequential& model, const char* what);

/// Re-throws the exception being handled, same keras::Error class, with `prefix` + message.
[[noreturn]] void rethrow_with_context(const std::string& prefix);

}  // namespace keras::io::detail
