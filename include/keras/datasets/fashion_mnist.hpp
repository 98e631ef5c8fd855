// keras::datasets::fashion_mnist::load_data(): Zalando's Fashion-MNIST (10 kinds of clothing)
// as Keras returns it: x_train uint8 (60000, 28, 28), y_train (60000,), x_test (10000, 28, 28),
// y_test (10000,). Same search order as MNIST, plus Debian's dataset-fashion-mnist package
// (/usr/share/datasets/fashion-mnist/).
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string_view>

#include "keras/datasets/image_dataset.hpp"

namespace keras::datasets::fashion_mnist {

/// The label names, by class index (as in Keras's and TensorFlow's tutorials).
inline constexpr std::array<std::string_view, 10> class_names = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

/// Fashion-MNIST's files, hashes and origins.
const DatasetSpec& spec();

/// Loads Fashion-MNIST from `path` when given, else from the search order (see
/// load_image_dataset), downloading it into kerascpp's cache if needed.
ImageDataset load_data(const std::optional<std::filesystem::path>& path = std::nullopt);

}  // namespace keras::datasets::fashion_mnist
