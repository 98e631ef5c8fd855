// Helpers shared by the Keras-file tests: the fixture directory, MNIST test images prepared
// the way each fixture expects, the manifest's synthetic inputs, small models.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <keras/keras.hpp>
#include <optional>
#include <string>
#include <utility>

#include "support/test_support.hpp"

namespace keras::testing {

/// ../shared/fixtures/keras-models beside the source tree, if present.
std::optional<std::filesystem::path> keras_fixtures_dir();

/// MNIST test images (10000, 28, 28) as float32 / 255, and labels; loaded once.
struct MnistTest {
  Tensor x;     // (10000, 28, 28)
  ByteArray y;  // (10000,)
};
const MnistTest& mnist_test(const std::filesystem::path& dir);

/// The manifest's synthetic images: "zeros" and "ramp" (pixel (i, j) = ((28 i + j) * 7) mod 256),
/// divided by 255, shaped (1, 28, 28).
Tensor synthetic_input(const std::string& kind);

/// Number of rows whose argmax equals the label.
int64_t count_correct(const Tensor& outputs, const ByteArray& labels);

/// A small compiled MLP on (28, 28) inputs; names come from the given Keras session state.
Sequential small_mlp(uint64_t seed, bool dropout = true);

/// Random data of the MNIST shape: (n, 28, 28) in [0, 1) and labels in [0, 10).
std::pair<Tensor, Tensor> random_data(int64_t n, uint64_t seed);

/// Whether every value is bit-identical.
bool same_bits(const Tensor& a, const Tensor& b);
bool same_weights(const Sequential& a, const Sequential& b);

}  // namespace keras::testing

/// Skips (or, with KERASCPP_REQUIRE_DATA=1, fails) when the fixture files are absent.
#define KERASCPP_REQUIRE_KERAS_FIXTURES(dir_var)                                            \
  auto dir_var##_opt = ::keras::testing::keras_fixtures_dir();                              \
  if (!dir_var##_opt) {                                                                     \
    if (::keras::testing::require_data()) FAIL() << "Keras fixtures not found (../shared)"; \
    GTEST_SKIP() << "Keras fixture models not found beside the source tree";                \
  }                                                                                         \
  const std::filesystem::path dir_var = *dir_var##_opt
