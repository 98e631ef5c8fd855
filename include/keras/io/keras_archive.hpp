// The Keras 3 native format (.keras): a zip of metadata.json, config.json and model.weights.h5
// (layout in docs/keras-files.md). What kerascpp writes loads in Keras 3; what Keras 3 (or
// tf.keras 2.13+) writes loads here, for the layers kerascpp has.
//
// Most code calls model.save("m.keras") and keras::models::load_model("m.keras"); these are
// the functions behind them, plus in-memory variants (e.g. for an HTTP download or a fuzzer).
#pragma once

#include <filesystem>
#include <string>

#include "keras/io/model_config.hpp"
#include "keras/models/sequential.hpp"

namespace keras::io {

/// The .keras archive of a built model, as bytes.
std::string keras_archive_bytes(const Sequential& model);
/// Writes the .keras archive atomically (temporary file, fsync, rename).
void save_keras(const Sequential& model, const std::filesystem::path& path);

/// Loads a .keras archive: architecture, weights, and (if options.compile) compile settings and
/// optimizer state. Any problem with the file is a keras::Error naming what and where.
Sequential load_keras(const std::filesystem::path& path, const LoadOptions& options = {});
/// The same from bytes in memory; `origin` names them in messages.
Sequential load_keras_bytes(std::string bytes, const LoadOptions& options = {},
                            const std::string& origin = "<memory>");

}  // namespace keras::io
