// ProgbarLogger: the callback that draws Keras's progress bars during fit/evaluate/predict.
#pragma once

#include <memory>

#include "keras/callbacks/callback.hpp"
#include "keras/utils/progbar.hpp"

namespace keras::callbacks {

class ProgbarLogger : public Callback {
 public:
  /// `out`/`dynamic_display`/`clock` as in utils::Progbar::Options (defaults: stdout).
  explicit ProgbarLogger(utils::Progbar::Options bar_options = {})
      : options_(std::move(bar_options)) {}

  void on_train_begin(const Logs&) override { in_fit_ = true; }
  void on_train_end(const Logs&) override { in_fit_ = false; }
  void on_epoch_begin(int epoch, const Logs&) override;
  void on_train_batch_end(int64_t batch, const Logs& logs) override;
  void on_epoch_end(int epoch, const Logs& logs) override;
  void on_test_begin(const Logs&) override;
  void on_test_batch_end(int64_t batch, const Logs& logs) override;
  void on_test_end(const Logs& logs) override;
  void on_predict_begin(const Logs&) override;
  void on_predict_batch_end(int64_t batch, const Logs& logs) override;
  void on_predict_end(const Logs& logs) override;

 private:
  void start_bar();
  void update(int64_t current, const Logs& logs, bool finalize);
  utils::Progbar::Options options_;
  std::unique_ptr<utils::Progbar> bar_;
  bool in_fit_ = false;
  std::vector<std::pair<std::string, double>> values_;  // reused: no allocation per batch
};

}  // namespace keras::callbacks
