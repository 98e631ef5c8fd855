// EarlyStopping: ends fit when the monitored quantity stops improving, optionally restoring the
// weights of the best epoch (Keras 3's semantics and messages).
//
//   auto stop = std::make_shared<keras::callbacks::EarlyStopping>(
//       keras::callbacks::EarlyStoppingOptions{.monitor = "val_loss", .patience = 3,
//                                              .restore_best_weights = true});
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keras/callbacks/monitor_callback.hpp"
#include "keras/tensor/ndarray.hpp"

namespace keras::callbacks {

struct EarlyStoppingOptions {
  std::string monitor = "val_loss";
  /// Changes smaller than this (in absolute value) do not count as improvements.
  double min_delta = 0.0;
  /// Epochs without improvement after which training stops.
  int patience = 0;
  int verbose = 0;
  std::string mode = "auto";  ///< "auto", "min" or "max"
  /// Training stops unless the model beats this value within `patience` epochs.
  std::optional<double> baseline = std::nullopt;
  /// At the end, put back the weights of the best epoch.
  bool restore_best_weights = false;
  /// Epochs to wait before monitoring starts (warm-up).
  int start_from_epoch = 0;
};

class EarlyStopping : public MonitorCallback {
 public:
  explicit EarlyStopping(EarlyStoppingOptions options = {});

  void on_train_begin(const Logs&) override;
  void on_epoch_end(int epoch, const Logs& logs) override;
  void on_train_end(const Logs&) override;

  /// The epoch (0-based) at which training was stopped; 0 when it was not.
  int stopped_epoch() const { return stopped_epoch_; }
  int best_epoch() const { return best_epoch_; }
  int wait() const { return wait_; }

 private:
  EarlyStoppingOptions o_;
  int wait_ = 0;
  int stopped_epoch_ = 0;
  int best_epoch_ = 0;
  std::optional<std::vector<Tensor>> best_weights_;
};

}  // namespace keras::callbacks
