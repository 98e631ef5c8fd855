// keras::datasets::mnist::load_data(): the MNIST digits as Keras returns them:
// x_train uint8 (60000, 28, 28), y_train uint8 (60000,), x_test (10000, 28, 28), y_test (10000,).
//
//   auto [x_train, y_train, x_test, y_test] = keras::datasets::mnist::load_data();
//
// Found, verified, cached or downloaded as docs/datasets.md describes.
#pragma once

#include <filesystem>
#include <optional>

#include "keras/datasets/image_dataset.hpp"

namespace keras::datasets::mnist {

/// MNIST's files, hashes and origins.
const DatasetSpec& spec();

/// Loads MNIST from `path` (a folder with the four IDX files or mnist.npz, or an .npz file)
/// when given, else from the first place of the search order that has it (see
/// load_image_dataset), downloading it into kerascpp's cache if needed. Throws keras::IOError
/// naming every place tried, and how to put the files there by hand, when nothing works.
ImageDataset load_data(const std::optional<std::filesystem::path>& path = std::nullopt);

}  // namespace keras::datasets::mnist
