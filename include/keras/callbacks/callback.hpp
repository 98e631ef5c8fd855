// Callback: hooks into fit/evaluate/predict, with Keras's method names and log dicts.
// Logs are ordered maps, so keys come out alphabetically: Keras 3 sorts them the same way
// (accuracy, loss, val_accuracy, val_loss).
#pragma once

#include <map>
#include <memory>
#include <string>

namespace keras::models {
class Sequential;
}

namespace keras::callbacks {

using Logs = std::map<std::string, double>;

/// What fit/evaluate/predict tell their callbacks (Keras's `callback.params`).
struct Params {
  int verbose = 1;
  int epochs = 1;
  int64_t steps = 0;
};

class Callback {
 public:
  virtual ~Callback() = default;
  void set_model(models::Sequential* model) { model_ = model; }
  void set_params(const Params& params) { params_ = params; }
  models::Sequential* model() const { return model_; }
  const Params& params() const { return params_; }

  virtual void on_train_begin(const Logs&) {}
  virtual void on_train_end(const Logs&) {}
  virtual void on_epoch_begin(int /*epoch*/, const Logs&) {}
  virtual void on_epoch_end(int /*epoch*/, const Logs&) {}
  virtual void on_train_batch_begin(int64_t /*batch*/, const Logs&) {}
  virtual void on_train_batch_end(int64_t /*batch*/, const Logs&) {}
  virtual void on_test_begin(const Logs&) {}
  virtual void on_test_end(const Logs&) {}
  virtual void on_test_batch_end(int64_t /*batch*/, const Logs&) {}
  virtual void on_predict_begin(const Logs&) {}
  virtual void on_predict_end(const Logs&) {}
  virtual void on_predict_batch_end(int64_t /*batch*/, const Logs&) {}

 protected:
  models::Sequential* model_ = nullptr;
  Params params_;
};

using CallbackPtr = std::shared_ptr<Callback>;

}  // namespace keras::callbacks
