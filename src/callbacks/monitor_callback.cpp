#include "keras/callbacks/monitor_callback.hpp"

#include <cmath>
#include <iostream>
#include <limits>

#include "keras/core/error.hpp"
#include "keras/models/sequential.hpp"

namespace keras::callbacks {

void print_msg(const std::string& message) {
  std::cout << message << "\n" << std::flush;
}

void warn(const std::string& message) {
  std::cerr << "WARNING: " << message << "\n";
}

MonitorCallback::MonitorCallback(std::string monitor, const std::string& mode,
                                 std::optional<double> baseline, double min_delta)
    : monitor_(std::move(monitor)), mode_(mode), best_(baseline), min_delta_(std::fabs(min_delta)) {
  if (mode != "auto" && mode != "min" && mode != "max")
    throw ValueError("mode must be \"auto\", \"min\" or \"max\", got \"" + mode + "\"");
  if (monitor_.empty()) throw ValueError("monitor must name a logged quantity, e.g. \"val_loss\"");
}

void MonitorCallback::set_monitor_op() {
  if (mode_ == "min" || mode_ == "max") {
    lower_is_better_ = mode_ == "min";
  } else {
    const std::string name = monitor_.rfind("val_", 0) == 0 ? monitor_.substr(4) : monitor_;
    bool known = name == "loss";
    lower_is_better_ = true;
    if (!known && model_) {
      for (const auto& m : model_->metric_names())
        if (m == name) {
          known = true;
          lower_is_better_ = false;  // kerascpp's metrics are accuracies: higher is better
        }
    }
    if (!known)
      throw ValueError(
          "callback monitor=\"" + monitor_ +
          "\": cannot tell whether that metric should be maximized or minimized. Pass mode \"max\" "
          "to monitor the highest value, or \"min\" for the lowest");
  }
  if (!best_)
    best_ = lower_is_better_ ? std::numeric_limits<double>::infinity()
                             : -std::numeric_limits<double>::infinity();
  op_set_ = true;
}

bool MonitorCallback::is_improvement(double value, std::optional<double> reference) const {
  if (!reference) return true;
  // Keras flips min_delta's sign for "min", then compares (value - min_delta) with the reference.
  const double delta = lower_is_better_ ? -min_delta_ : min_delta_;
  return better(value - delta, *reference);
}

}  // namespace keras::callbacks
