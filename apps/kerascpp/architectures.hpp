// The models `kerascpp train` builds: the first-model tutorial's MLP and keras.io's convnet.
#pragma once

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

}  // namespace keras::app
