// ModelCheckpoint: saves the model (or its weights) during fit, every epoch or only when the
// monitored quantity improves, with Keras 3's semantics and messages.
//
//   auto ckpt = std::make_shared<keras::callbacks::ModelCheckpoint>(
//       "best.keras", keras::callbacks::ModelCheckpointOptions{.monitor = "val_accuracy",
//                                                             .save_best_only = true});
//   model.fit(x, y, {.epochs = 10, .validation_split = 0.1, .callbacks = {ckpt}});
//
// `filepath` may hold Python format fields filled from the epoch (1-based), the batch and the
// logs: "ckpt-{epoch:02d}-{val_loss:.2f}.keras". Full models need ".keras" or ".h5"; with
// save_weights_only, ".weights.h5" (or a legacy ".h5"). Every save is atomic.
#pragma once

#include <optional>
#include <string>

#include "keras/callbacks/monitor_callback.hpp"

namespace keras::callbacks {

struct ModelCheckpointOptions {
  std::string monitor = "val_loss";
  int verbose = 0;
  /// Save only when `monitor` improves (Keras's save_best_only).
  bool save_best_only = false;
  /// model.save_weights instead of model.save.
  bool save_weights_only = false;
  std::string mode = "auto";  ///< "auto", "min" or "max"
  /// Save every this many batches instead of at each epoch end (Keras's integer save_freq).
  std::optional<int> save_freq = std::nullopt;
  /// Initial "best" value: only better models are saved (with save_best_only).
  std::optional<double> initial_value_threshold = std::nullopt;
};

class ModelCheckpoint : public MonitorCallback {
 public:
  explicit ModelCheckpoint(std::string filepath, ModelCheckpointOptions options = {});

  void on_epoch_begin(int epoch, const Logs&) override { current_epoch_ = epoch; }
  void on_train_batch_end(int64_t batch, const Logs& logs) override;
  void on_epoch_end(int epoch, const Logs& logs) override;

  /// The path the last save went to ("" before any).
  const std::string& last_saved() const { return last_saved_; }

 private:
  void save_model(int epoch, std::optional<int64_t> batch, const Logs& logs);
  bool should_save(int epoch, const Logs& logs, const std::string& path);

  std::string filepath_;
  ModelCheckpointOptions o_;
  int current_epoch_ = 0;
  int64_t batches_since_save_ = 0;
  int64_t last_batch_seen_ = 0;
  std::string last_saved_;
};

/// Fills Python format fields ("{epoch:02d}", "{val_loss:.4f}", "{name}") from `values`; an
/// unknown field is a keras::ValueError naming it. Exposed for tests and other callbacks.
std::string format_filepath(const std::string& pattern, const Logs& values);

}  // namespace keras::callbacks
