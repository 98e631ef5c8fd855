// Progbar: Keras 3's progress bar (keras.utils.Progbar), byte for byte on a terminal.
//
// Deliberate difference from Keras: when the output is not a terminal, verbose=1 does not emit
// the backspace/carriage-return redraws; only the final line of each bar is written, so logs
// stay readable (Keras on Linux writes the redraws to files too).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace keras::utils {

class Progbar {
 public:
  struct Options {
    int width = 20;
    int verbose = 1;         ///< 1: live bar; 2: one line when finalized
    double interval = 0.05;  ///< minimum seconds between redraws
    std::string unit_name = "step";
    std::ostream* out = nullptr;  ///< default std::cout
    /// Whether `out` is a terminal (redraw in place). Default: isatty(stdout) when out is cout.
    std::optional<bool> dynamic_display;
    /// Seconds since an arbitrary origin; replaceable for tests.
    std::function<double()> clock;
  };

  explicit Progbar(int64_t target, Options options);
  explicit Progbar(int64_t target) : Progbar(target, Options{}) {}

  /// Shows `current` of `target` with the given (name, value) pairs, in order.
  void update(int64_t current, const std::vector<std::pair<std::string, double>>& values = {},
              bool finalize = false);

  /// Formats seconds per unit as Keras does: "2ms/step", "0s/step", "95us/step".
  static std::string format_time(double time_per_unit, const std::string& unit_name);

 private:
  double now() const;
  double estimate_step_duration(int64_t current, double now);

  int64_t target_;
  Options opt_;
  bool dynamic_;
  double start_, last_update_ = -1e300;  // the first update always draws
  double time_after_first_step_ = -1;
  int64_t seen_so_far_ = 0;
  size_t total_width_ = 0;
  std::vector<std::string> order_;
};

/// Whether stdout is a terminal.
bool stdout_is_terminal();

}  // namespace keras::utils
