// keras::datasets::mnist::load_data(): the MNIST digits as Keras returns them:
// x_train uint8 (60000, 28, 28), y_train uint8 (60000,), x_test (10000, 28, 28), y_test (10000,).
//
//   auto [x_train, y_train, x_test, y_test] = keras::datasets::mnist::load_data();
#pragma once

#include <filesystem>
#include <optional>
#include <utility>

#include "keras/tensor/ndarray.hpp"

namespace keras::datasets {

/// The four arrays of an image-classification data set, in Keras's order.
struct ImageDataset {
  ByteArray x_train, y_train, x_test, y_test;
  std::pair<ByteArray, ByteArray> train() const { return {x_train, y_train}; }
  std::pair<ByteArray, ByteArray> test() const { return {x_test, y_test}; }
};

/// Reads the four canonical IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte,
/// t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte; each raw or with .gz) from `directory` and
/// checks them: 28x28 images, as many labels as images, labels below `num_classes`.
ImageDataset load_idx_directory(const std::filesystem::path& directory, int num_classes = 10);

}  // namespace keras::datasets

namespace keras::datasets::mnist {

/// Loads MNIST from `directory`, else from $KERASCPP_DATA_DIR. Throws keras::IOError naming
/// the file and what is wrong when a file is missing or corrupt.
ImageDataset load_data(const std::optional<std::filesystem::path>& directory = std::nullopt);

}  // namespace keras::datasets::mnist
