// keras::plot::history(): the tutorial's training curves, one panel per metric (loss, then the
// others: accuracy, ...), each with the training and the validation series, as matplotlib draws
// them. Drawn by gnuplot into a PNG, or an SVG when the file name ends in .svg.
//
//   auto history = model.fit(...);
//   keras::plot::history(history, "training.png");                       // language from the
//   locale keras::plot::history(history, "training.svg", {.lang = keras::utils::Language::zh});
#pragma once

#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "keras/callbacks/history.hpp"
#include "keras/utils/i18n.hpp"

namespace keras::plot {

/// Every member has an initializer, so designated initializers may name any subset.
struct HistoryPlotOptions {
  /// Language of the titles and legends (训练损失 / Training loss); default: the locale's
  /// (utils::default_language()). Axis labels are the tutorial's (Epoch, Loss, Accuracy) in both.
  std::optional<utils::Language> lang{};
  /// Metrics to draw, one panel each, in this order ("loss", "accuracy"; not "val_..."). Default:
  /// every metric of the history, loss first, then the others alphabetically.
  std::vector<std::string> metrics{};
  /// Figure size in inches, as matplotlib's figsize. {0, 0}: 6 per panel by 4 (the tutorial's
  /// 12x4).
  std::array<double, 2> figsize{0, 0};
  /// Pixels per inch of a PNG (matplotlib's default 100: 12x4 in -> 1200x400 px).
  double dpi = 100;
  /// Font family; characters it lacks (Chinese) come from fontconfig's fallback (a CJK font).
  std::string font = "DejaVu Sans";
};

/// Draws `history` (metric name -> one value per epoch, as History::history) to `path` (.png or
/// .svg). The file is written atomically. Throws keras::ValueError for an empty history or an
/// unknown metric, keras::IOError when gnuplot is missing or fails or `path` cannot be written.
void history(const std::map<std::string, std::vector<double>>& history,
             const std::filesystem::path& path, const HistoryPlotOptions& options = {});

/// Same, from what Sequential::fit returned.
inline void history(const callbacks::History& history, const std::filesystem::path& path,
                    const HistoryPlotOptions& options = {}) {
  plot::history(history.history, path, options);
}

}  // namespace keras::plot
