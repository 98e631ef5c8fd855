#include "keras/callbacks/early_stopping.hpp"

#include "keras/models/sequential.hpp"

namespace keras::callbacks {

EarlyStopping::EarlyStopping(EarlyStoppingOptions options)
    : MonitorCallback(options.monitor, options.mode, std::nullopt, options.min_delta),
      o_(std::move(options)) {}

void EarlyStopping::on_train_begin(const Logs&) {
  // Allow instances to be re-used.
  wait_ = 0;
  stopped_epoch_ = 0;
  best_weights_.reset();
  best_epoch_ = 0;
}

void EarlyStopping::on_epoch_end(int epoch, const Logs& logs) {
  if (!monitor_op_set()) set_monitor_op();
  auto it = logs.find(monitor_);
  if (it == logs.end()) {
    std::string available;
    for (const auto& [k, v] : logs) available += (available.empty() ? "" : ",") + k;
    warn("Early stopping conditioned on metric `" + monitor_ +
         "` which is not available. Available metrics are: " + available);
    return;
  }
  if (epoch < o_.start_from_epoch) return;
  const double current = it->second;
  if (o_.restore_best_weights && !best_weights_) {
    // If best weights were never set, the current weights are the best.
    best_weights_ = model_->get_weights();
    best_epoch_ = epoch;
  }
  ++wait_;
  if (is_improvement(current, best_)) {
    best_ = current;
    best_epoch_ = epoch;
    if (o_.restore_best_weights) best_weights_ = model_->get_weights();
    // Only restart waiting when both the baseline and the previous best are beaten.
    if (!o_.baseline || is_improvement(current, o_.baseline)) wait_ = 0;
    return;
  }
  if (wait_ >= o_.patience && epoch > 0) {
    stopped_epoch_ = epoch;
    model_->stop_training = true;
  }
}

void EarlyStopping::on_train_end(const Logs&) {
  if (stopped_epoch_ > 0 && o_.verbose > 0)
    print_msg("Epoch " + std::to_string(stopped_epoch_ + 1) + ": early stopping");
  if (o_.restore_best_weights && best_weights_) {
    if (o_.verbose > 0)
      print_msg("Restoring model weights from the end of the best epoch: " +
                std::to_string(best_epoch_ + 1) + ".");
    model_->set_weights(*best_weights_);
  }
}

}  // namespace keras::callbacks
