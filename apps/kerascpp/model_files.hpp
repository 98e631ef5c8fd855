// The models the kerascpp tool builds, and the one place where it reads and writes model files
// (.keras, .h5) through the library's Keras-file support.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "keras/models/sequential.hpp"

namespace keras::app {

/// The architectures `kerascpp train --model` knows.
struct Architecture {
  std::string name;         ///< "mlp", "convnet"
  std::string description;  ///< one line for --help
  int epochs;               ///< the tutorial's defaults
  int batch_size;
};
const std::vector<Architecture>& architectures();
const Architecture& architecture(std::string_view name);

/// A fresh, compiled model: "mlp" is the first-model tutorial's (Flatten, Dense(128, relu),
/// Dropout(0.2), Dense(10, softmax)); "convnet" is keras.io's "Simple MNIST convnet".
/// Throws keras::NotImplementedError for an architecture whose layers this build lacks.
Sequential build_model(std::string_view name);

/// Throws keras::NotImplementedError, naming `path`, if this build cannot read and write model
/// files (checked before a long training run rather than after it).
void require_model_files(const std::filesystem::path& path);

/// Reads a model file written by `kerascpp train` or by Keras (.keras or .h5).
Sequential load_model(const std::filesystem::path& path);
/// Writes the model (format from the extension: .keras or .h5).
void save_model(Sequential& model, const std::filesystem::path& path);

}  // namespace keras::app
