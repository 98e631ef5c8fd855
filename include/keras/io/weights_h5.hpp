// Weights files: Keras 3's .weights.h5 (the model.weights.h5 of a .keras archive, standalone)
// written and read, and loading weights from any Keras file into a model built in C++.
//
//   model.save_weights("m.weights.h5");      // keras::io::save_weights_h5
//   model.load_weights("m.weights.h5");      // keras::io::load_weights
//
// Layers are matched by position, as Keras matches them (Keras 3 names the groups by class and
// position: layers/dense, layers/dense_1, ...; legacy files list layer_names in order), and
// every weight's shape is checked before anything is copied.
#pragma once

#include <filesystem>
#include <string>

#include "keras/io/model_config.hpp"
#include "keras/models/sequential.hpp"

namespace keras::io {

/// The Keras 3 weights file (with optimizer state when compiled), as bytes.
std::string weights_h5_bytes(const Sequential& model);
/// Writes it atomically.
void save_weights_h5(const Sequential& model, const std::filesystem::path& path);

/// Loads weights into a built model from a Keras 3 .weights.h5, a legacy weights-only or
/// full-model .h5, or a .keras archive; then the optimizer state, when the model is compiled
/// and the saved state fits it (otherwise a warning, as in Keras). On error the model is
/// unchanged.
void load_weights(Sequential& model, const std::filesystem::path& path,
                  const LoadOptions& options = {});

}  // namespace keras::io
