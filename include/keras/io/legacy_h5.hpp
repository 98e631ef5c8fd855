// The legacy HDF5 formats (.h5) of Keras 2 and of Keras 3's `model.save("x.h5")`:
// a full model (root attributes model_config / training_config, groups model_weights and
// optimizer_weights) or weights only (layer_names at the root). Reads files from Keras 2.x
// (fixed- or variable-length name lists, "dense_1/kernel:0" names) and Keras 3.x; writes the
// Keras 3.5+ layout ("<model>/<layer>/kernel" names).
#pragma once

#include <filesystem>

#include "keras/io/model_config.hpp"
#include "keras/models/sequential.hpp"

namespace keras::io {

/// Full model: architecture, weights, compile settings and optimizer state (atomic write).
void save_legacy_h5(const Sequential& model, const std::filesystem::path& path);
/// Loads a legacy full-model .h5 (Keras 2.x or 3.x).
Sequential load_legacy_h5(const std::filesystem::path& path, const LoadOptions& options = {});
/// Weights only, in the legacy layout tf.keras 2 used for `save_weights("x.h5")`.
void save_legacy_weights(const Sequential& model, const std::filesystem::path& path);

}  // namespace keras::io
