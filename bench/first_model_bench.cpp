// kerascpp's side of the first-model benchmark (bench/run_first_model.sh): the tutorial's exact
// configuration (MNIST, Flatten-Dense(128, relu)-Dropout(0.2)-Dense(10, softmax), Adam, batch 32,
// validation_split 0.1), timed phase by phase. Prints one `RESULT key=value ...` line, the
// format every peer in bench/peers/ prints too.
//
//   first_model_bench [--data DIR] [--epochs N] [--threads N] [--seed N]
//   first_model_bench --probe      peak single-thread SGEMM (GFLOP/s) of this machine
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <iostream>
#include <keras/keras.hpp>
#include <string>
#include <vector>

#include "bench_util.hpp"

namespace {

struct Args {
  std::optional<std::filesystem::path> data;
  int epochs = 5;
  int threads = 0;
  uint64_t seed = 1;
  bool probe = false;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) keras::bench::usage("first_model_bench", "missing value after " + k);
      return argv[++i];
    };
    if (k == "--data")
      a.data = value();
    else if (k == "--epochs")
      a.epochs = std::stoi(value());
    else if (k == "--threads")
      a.threads = std::stoi(value());
    else if (k == "--seed")
      a.seed = std::stoull(value());
    else if (k == "--probe")
      a.probe = true;
    else
      keras::bench::usage("first_model_bench", "unknown argument " + k);
  }
  return a;
}

// Wall-clock time of each epoch (fit's own loop, validation included).
class EpochTimer : public keras::callbacks::Callback {
 public:
  std::vector<double> seconds;
  void on_epoch_begin(int, const keras::callbacks::Logs&) override { start_ = keras::bench::now(); }
  void on_epoch_end(int, const keras::callbacks::Logs&) override {
    seconds.push_back(keras::bench::now() - start_);
  }

 private:
  double start_ = 0;
};

}  // namespace

int main(int argc, char** argv) try {
  const Args args = parse(argc, argv);
  if (args.probe) {
    std::printf("RESULT impl=sgemm_probe gflops=%.2f\n", keras::bench::peak_sgemm_gflops());
    return 0;
  }
  if (args.threads > 0) keras::config::set_num_threads(args.threads);
  keras::utils::set_random_seed(args.seed);
  using namespace keras::layers;

  // The tutorial, step by step (as examples/first_model): load, scale to [0, 1], build, compile.
  auto [x_train_raw, y_train, x_test_raw, y_test] = keras::datasets::mnist::load_data(args.data);
  // Python rebinds x_train, which frees the uint8 images as soon as they are scaled: so do we.
  auto x_train = x_train_raw.astype<float>() / 255.0f;
  x_train_raw = {};
  auto x_test = x_test_raw.astype<float>() / 255.0f;
  x_test_raw = {};
  keras::Sequential model{Flatten({28, 28}), Dense(128, "relu"), Dropout(0.2),
                          Dense(10, "softmax")};
  model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});

  auto timer = std::make_shared<EpochTimer>();
  const double cpu0 = keras::bench::cpu_seconds(), t0 = keras::bench::now();
  auto history = model.fit(x_train, y_train,
                           {.epochs = args.epochs,
                            .batch_size = 32,
                            .validation_split = 0.1,
                            .verbose = 0,
                            .callbacks = {timer}});
  const double fit_s = keras::bench::now() - t0, fit_cpu = keras::bench::cpu_seconds() - cpu0;

  double t1 = keras::bench::now();
  const auto scores = model.evaluate(x_test, y_test, {.verbose = 0});
  const double evaluate_s = keras::bench::now() - t1;
  t1 = keras::bench::now();
  const auto predictions = model.predict(x_test, {.verbose = 0});
  const double predict_s = keras::bench::now() - t1;
  const double n_test = static_cast<double>(x_test.shape()[0]);

  std::string epochs;
  for (double s : timer->seconds)
    epochs.append(epochs.empty() ? "" : ",").append(keras::bench::fixed(s, 3));
  std::printf(
      "RESULT impl=kerascpp threads=%d fit_s=%.3f fit_cpu_s=%.3f epoch_s=%s test_acc=%.4f "
      "evaluate_s=%.4f evaluate_ips=%.0f predict_s=%.4f predict_ips=%.0f peak_rss_mb=%.1f\n",
      keras::config::num_threads(), fit_s, fit_cpu, epochs.c_str(), scores[1], evaluate_s,
      n_test / evaluate_s, predict_s, n_test / predict_s, keras::bench::peak_rss_mb());
  (void)predictions;
  return 0;
} catch (const std::exception& e) {
  std::cerr << "first_model_bench: " << e.what() << "\n";
  return 1;
}
