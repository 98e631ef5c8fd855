#include "keras/callbacks/progbar_logger.hpp"

#include <iostream>

namespace keras::callbacks {

void ProgbarLogger::start_bar() {
  auto opts = options_;
  opts.verbose = params_.verbose;
  bar_ = std::make_unique<utils::Progbar>(params_.steps, opts);
}

void ProgbarLogger::update(int64_t current, const Logs& logs, bool finalize) {
  if (!bar_) return;
  values_.resize(logs.size());
  size_t i = 0;
  for (const auto& [k, v] : logs) {
    values_[i].first = k;
    values_[i++].second = v;
  }
  bar_->update(current, values_, finalize);
}

void ProgbarLogger::on_epoch_begin(int epoch, const Logs&) {
  if (params_.verbose && params_.epochs > 1) {
    std::ostream& os = options_.out ? *options_.out : std::cout;
    os << "Epoch " << (epoch + 1) << "/" << params_.epochs << "\n" << std::flush;
  }
  start_bar();
}

void ProgbarLogger::on_train_batch_end(int64_t batch, const Logs& logs) {
  update(batch + 1, logs, false);
}

void ProgbarLogger::on_epoch_end(int, const Logs& logs) {
  update(params_.steps, logs, true);
  bar_.reset();
}

void ProgbarLogger::on_test_begin(const Logs&) {
  if (!in_fit_) start_bar();
}
void ProgbarLogger::on_test_batch_end(int64_t batch, const Logs& logs) {
  if (!in_fit_) update(batch + 1, logs, false);
}
void ProgbarLogger::on_test_end(const Logs& logs) {
  if (in_fit_) return;
  update(params_.steps, logs, true);
  bar_.reset();
}
void ProgbarLogger::on_predict_begin(const Logs&) {
  start_bar();
}
void ProgbarLogger::on_predict_batch_end(int64_t batch, const Logs& logs) {
  update(batch + 1, logs, false);
}
void ProgbarLogger::on_predict_end(const Logs& logs) {
  update(params_.steps, logs, true);
  bar_.reset();
}

}  // namespace keras::callbacks
