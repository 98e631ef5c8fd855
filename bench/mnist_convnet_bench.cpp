// Times one epoch of the keras.io MNIST convnet (fit with batch 128, validation_split 0.1,
// verbose 0: 422 training steps plus the validation pass), as bench/mnist_convnet.sh runs it
// beside PyTorch. With --layers it instead times each layer's forward and backward pass on one
// batch, to see where an epoch goes.
//
//   mnist_convnet_bench [--threads N] [--conv onednn|im2col] [--limit N] [--layers] [--data DIR]
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <keras/keras.hpp>
#include <string>

namespace {

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
// CPU time of the whole process: with one thread, what a layer costs regardless of how busy the
// machine is.
double cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

keras::Sequential make_model() {
  using namespace keras::layers;
  return keras::Sequential{Input({28, 28, 1}),   Conv2D(32, {3, 3}, "relu"),
                           MaxPooling2D({2, 2}), Conv2D(64, {3, 3}, "relu"),
                           MaxPooling2D({2, 2}), Flatten(),
                           Dropout(0.5),         Dense(10, "softmax")};
}

// Forward and backward time of each layer on one batch, best of `reps` (process CPU time with
// one thread, else wall time).
void time_layers(keras::Sequential& model, const keras::Tensor& x, int64_t batch, int reps) {
  auto clock = keras::config::num_threads() == 1 ? cpu_now : now;
  const auto& layers = model.layers();
  std::vector<keras::Tensor> acts{x.head(batch).copy()};
  for (const auto& l : layers) acts.push_back(keras::Tensor(l->output_shape().with_batch(batch)));
  double total = 0;
  for (size_t i = 0; i < layers.size(); ++i) {
    auto& l = *layers[i];
    keras::Tensor dy(l.output_shape().with_batch(batch), 0.01f), dx(acts[i].shape());
    double fwd = 1e9, bwd = 1e9;
    for (int r = 0; r <= reps; ++r) {
      double t = clock();
      l.forward(acts[i].data(), acts[i + 1].data(), batch, true);
      if (r) fwd = std::min(fwd, clock() - t);
      t = clock();
      l.backward(acts[i].data(), acts[i + 1].data(), dy.data(), i == 0 ? nullptr : dx.data(),
                 batch);
      if (r) bwd = std::min(bwd, clock() - t);
    }
    total += fwd + bwd;
    std::printf("%-16s forward %7.2f ms  backward %7.2f ms\n", l.name().c_str(), fwd * 1e3,
                bwd * 1e3);
  }
  std::printf("%-16s %7.2f ms per step (x 422 steps = %.1f s)\n", "total", total * 1e3,
              total * 422);
}

}  // namespace

int main(int argc, char** argv) try {
  int threads = 0;
  int64_t limit = 0;
  bool layers_only = false;
  std::optional<std::filesystem::path> data;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    const bool has_value = i + 1 < argc;
    if (k == "--threads" && has_value)
      threads = std::atoi(argv[++i]);
    else if (k == "--conv" && has_value) {
      const std::string v = argv[++i];
      keras::kernels::set_conv_implementation(v == "im2col"
                                                  ? keras::kernels::ConvImplementation::im2col
                                                  : keras::kernels::ConvImplementation::onednn);
    } else if (k == "--limit" && has_value)
      limit = std::atoll(argv[++i]);
    else if (k == "--data" && has_value)
      data = argv[++i];
    else if (k == "--layers")
      layers_only = true;
    else {
      std::cerr << "usage: mnist_convnet_bench [--threads N] [--conv onednn|im2col] [--limit N] "
                   "[--layers] [--data DIR]\n";
      return 2;
    }
  }
  if (threads > 0) keras::config::set_num_threads(threads);
  keras::utils::set_random_seed(1);
  auto d = keras::datasets::mnist::load_data(data);
  auto x = (d.x_train.astype<float>() / 255.0f).reshape({-1, 28, 28, 1});
  auto y = keras::utils::to_categorical(d.y_train, 10);
  if (limit > 0) {
    x = x.head(limit);
    y = y.head(limit);
  }
  auto model = make_model();
  model.compile("adam", "categorical_crossentropy", {"accuracy"});
  if (layers_only) {
    time_layers(model, x, 128, 10);
    return 0;
  }
  // One short warm-up fit creates the primitives and buffers, as PyTorch's side warms up too.
  model.fit(x.head(1280), y.head(1280), {.epochs = 1, .batch_size = 128, .verbose = 0});
  const double t = now();
  auto history =
      model.fit(x, y, {.epochs = 1, .batch_size = 128, .validation_split = 0.1, .verbose = 0});
  const double seconds = now() - t;
  std::printf("kerascpp conv=%s threads=%d epoch_s=%.3f val_accuracy=%.4f\n",
              keras::kernels::to_string(keras::kernels::conv_implementation()).c_str(),
              keras::config::num_threads(), seconds, history.history.at("val_accuracy").back());
  return 0;
} catch (const keras::Error& e) {
  std::cerr << "error: " << e.what() << "\n";
  return 1;
}
