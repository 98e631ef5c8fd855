// Global settings (Keras's keras.config): the number of threads kerascpp may use.
#pragma once

namespace keras::config {

/// Threads used by every kerascpp thread pool and by the BLAS behind it. n <= 0 restores the
/// default: $KERASCPP_NUM_THREADS if set, else the number of cores this process may run on
/// (CPU affinity and cgroup quota aware).
void set_num_threads(int n);
int num_threads();

/// Keras's fuzz factor (keras.config.epsilon()): 1e-7.
constexpr float epsilon() {
  return 1e-7f;
}

}  // namespace keras::config
