// History: what fit() returns. `history.history["val_loss"]` holds one value per epoch.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "keras/callbacks/callback.hpp"

namespace keras::callbacks {

class History : public Callback {
 public:
  /// Metric name -> one value per epoch, keys in Keras's (alphabetical) order.
  std::map<std::string, std::vector<double>> history;
  /// Epoch indices seen (0-based).
  std::vector<int> epoch;

  void on_train_begin(const Logs&) override { epoch.clear(); }
  void on_epoch_end(int e, const Logs& logs) override {
    epoch.push_back(e);
    for (const auto& [k, v] : logs) history[k].push_back(v);
  }
};

}  // namespace keras::callbacks
