// Writing the pieces of Keras layer configs that several layers' get_config() share (private to
// src/layers). Reading configs is keras::layers::LayerConfig's job (keras/layers/registry.hpp).
#pragma once

#include <nlohmann/json.hpp>

#include "keras/initializers/initializers.hpp"
#include "keras/layers/window.hpp"

namespace keras::layers::config {

/// Keras's serialized initializer: {"module": "keras.initializers", "class_name": ..., ...}.
nlohmann::json serialize(initializers::Kind kind);
/// [h, w] as Keras writes tuples.
nlohmann::json to_json(Size2 s);

}  // namespace keras::layers::config
