// keras::plot::predictions(): the tutorial's grid of test images, each titled
// "预测: 7, 真实: 7" (predicted class, true label) in green when right and red when wrong, as
// matplotlib's imshow(cmap='gray') + title draw it. PNG, or SVG for a .svg file name.
//
//   auto probs = model.predict(x_test.head(10));
//   keras::plot::predictions(x_test, y_test, probs, "predictions.png", {.n = 10});
//   // Fashion-MNIST: {.n = 10, .class_names = {"T-shirt/top", "Trouser", ...}}
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "keras/tensor/ndarray.hpp"
#include "keras/utils/i18n.hpp"

namespace keras::plot {

/// Every member has an initializer, so designated initializers may name any subset.
struct PredictionPlotOptions {
  /// How many images to draw: the first n of images, labels and probabilities.
  int64_t n = 10;
  /// Images per row (the tutorial's 2x5 grid for n = 10); fewer when n is smaller.
  int64_t columns = 5;
  /// Names shown instead of class indices (Fashion-MNIST: "T-shirt/top", ...). Empty: indices.
  std::vector<std::string> class_names{};
  /// Language of the titles; default: the locale's (utils::default_language()).
  std::optional<utils::Language> lang{};
  /// Figure size in inches. {0, 0}: 2.4 per column by 2 per row (the tutorial's 12x4 for 2x5).
  std::array<double, 2> figsize{0, 0};
  /// Pixels per inch of a PNG.
  double dpi = 100;
  /// Font family; characters it lacks (Chinese) come from fontconfig's fallback (a CJK font).
  std::string font = "DejaVu Sans";
};

namespace detail {
/// The untyped core of predictions(): images (n, H, W) or (n, H, W, 1), labels (n,),
/// probabilities (n, classes).
void plot_predictions(const Tensor& images, const NDArray<int64_t>& labels,
                      const Tensor& probabilities, const std::filesystem::path& path,
                      const PredictionPlotOptions& options);
}  // namespace detail

/// Draws the first options.n images (N, H, W) or (N, H, W, 1), any element type (uint8 0-255
/// or float 0-1: each image is scaled from its darkest to its brightest pixel, as imshow does),
/// titled with argmax(probabilities[i]) and labels[i], to `path` (.png or .svg), atomically.
/// Throws keras::ValueError for shapes that do not fit or a class without a name,
/// keras::IOError when gnuplot is missing or fails or `path` cannot be written.
template <ArrayElement I, ArrayElement L>
void predictions(const NDArray<I>& images, const NDArray<L>& labels, const Tensor& probabilities,
                 const std::filesystem::path& path, const PredictionPlotOptions& options = {}) {
  // Only the first n rows are converted (x_test holds 10000 images).
  const int64_t n = options.n > 0 ? options.n : 0;
  detail::plot_predictions(
      images.ndim() ? images.head(n).template astype<float>() : Tensor(),
      labels.ndim() ? labels.head(n).template astype<int64_t>() : NDArray<int64_t>(),
      probabilities.ndim() ? probabilities.head(n) : Tensor(), path, options);
}

}  // namespace keras::plot
