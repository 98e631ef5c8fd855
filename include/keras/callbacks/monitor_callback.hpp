// MonitorCallback: what ModelCheckpoint and EarlyStopping share (Keras's MonitorCallback): the
// logged quantity to watch, whether lower or higher is better, and what counts as better.
//
// mode "min" / "max", or "auto": "loss" and "val_loss" are minimised; a compiled metric with a
// direction (every accuracy) is maximised; anything else is a keras::ValueError asking for an
// explicit mode, as in Keras.
#pragma once

#include <optional>
#include <string>

#include "keras/callbacks/callback.hpp"

namespace keras::callbacks {

class MonitorCallback : public Callback {
 public:
  const std::string& monitor() const { return monitor_; }
  /// The best value seen so far (+-inf, or the baseline, before any).
  double best() const { return best_.value_or(0.0); }

 protected:
  MonitorCallback(std::string monitor, const std::string& mode, std::optional<double> baseline,
                  double min_delta = 0.0);
  /// Resolves the direction; called on the first epoch end, once the model's metrics exist.
  void set_monitor_op();
  bool monitor_op_set() const { return op_set_; }
  /// Keras's _is_improvement: (value - min_delta) is better than the reference.
  bool is_improvement(double value, std::optional<double> reference) const;
  bool better(double a, double b) const { return lower_is_better_ ? a < b : a > b; }

  std::string monitor_;
  std::string mode_;
  std::optional<double> best_;
  double min_delta_;
  bool lower_is_better_ = true;

 private:
  bool op_set_ = false;
};

/// Prints a message the way Keras's io_utils.print_msg does (stdout, then a newline).
void print_msg(const std::string& message);
/// Python's warnings.warn, for callbacks: one line on stderr.
void warn(const std::string& message);

}  // namespace keras::callbacks
