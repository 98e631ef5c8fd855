// keras::models::load_model: a Sequential from a file saved by kerascpp or by Keras, whatever
// its format (told by its content, not its name): the Keras 3 native .keras archive, or a
// legacy full-model .h5 written by Keras 2.x or 3.x.
//
//   auto model = keras::models::load_model("mnist.keras");
//   auto probabilities = model.predict(x_test);
//
// Weights-only files (.weights.h5, legacy weights .h5) need the architecture: build the model
// in C++ and call model.load_weights(path).
#pragma once

#include <filesystem>
#include <string_view>

#include "keras/io/model_config.hpp"
#include "keras/models/sequential.hpp"

namespace keras::models {

using io::LoadOptions;

/// Loads a whole model. Errors (missing file, corrupt or hostile content, a layer kerascpp does
/// not have yet) are keras::Error with a message naming the file, what and where.
Sequential load_model(const std::filesystem::path& path, const LoadOptions& options = {});

/// Keras's model_from_json: a fresh (untrained, uncompiled) model from an architecture JSON.
Sequential model_from_json(std::string_view json_text, const LoadOptions& options = {});

}  // namespace keras::models
