#include "commands.hpp"

#include <semaphore.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <thread>

#include "architectures.hpp"
#include "digit_image.hpp"
#include "keras/config.hpp"
#include "keras/core/error.hpp"
#include "keras/datasets/mnist.hpp"
#include "keras/losses/loss.hpp"
#include "keras/models/load_model.hpp"
#include "keras/utils/random.hpp"
#include "keras/utils/summary.hpp"
#include "predict_request.hpp"
#include "predictor.hpp"

namespace keras::app {

namespace {

// MNIST images (N, 28, 28) as the model's input: floats in [0, 1], shaped (N, ...input shape).
Tensor mnist_input(const ByteArray& images, const Sequential& model) {
  const Shape input = *model.input_shape();
  if (input.size() != kMnistSide * kMnistSide)
    throw ValueError("model '" + model.name() + "' takes inputs of shape " + input.str() +
                     ", but MNIST images are (28, 28)");
  return (images.astype<float>() / 255.0f).reshape(input.with_batch(images.shape()[0]));
}

void check_output_path(const std::filesystem::path& path) {
  const auto ext = path.extension();
  if (ext != ".keras" && ext != ".h5")
    throw ValueError("--output '" + path.string() + "' must end in .keras (Keras 3 format) or .h5");
  const auto dir = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
  if (!std::filesystem::is_directory(dir))
    throw IOError("--output '" + path.string() + "': directory '" + dir.string() +
                  "' does not exist");
}

// Scores a compiled copy of the model on MNIST's test set: [loss, accuracy].
std::vector<double> score(Sequential& model, const datasets::ImageDataset& data, int batch_size) {
  return model.evaluate(mnist_input(data.x_test, model), data.y_test,
                        {.batch_size = batch_size, .verbose = 0});
}

std::string percent(float p) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * p);
  return buf;
}

}  // namespace

int train(const TrainOptions& o) {
  const Architecture& arch = architecture(o.model);
  if (o.threads > 0) config::set_num_threads(o.threads);
  if (o.seed) utils::set_random_seed(*o.seed);
  // Everything that can fail goes before the long part: layers, output path, data.
  Sequential model = build_model(arch.name);
  check_output_path(o.output);
  const auto data = datasets::mnist::load_data(o.data);
  const int batch_size = o.batch_size.value_or(arch.batch_size);
  model.summary();
  model.fit(mnist_input(data.x_train, model), data.y_train,
            {.epochs = o.epochs.value_or(arch.epochs),
             .batch_size = batch_size,
             .validation_split = o.validation_split,
             .verbose = o.verbose});
  const auto scores = score(model, data, batch_size);
  std::printf("Test accuracy: %.4f - test loss: %.4f\n", scores[1], scores[0]);
  model.save(o.output);
  std::printf("Saved the model to %s\n", o.output.string().c_str());
  return 0;
}

int evaluate(const std::filesystem::path& path,
             const std::optional<std::filesystem::path>& data_dir, int batch_size, int verbose) {
  Sequential model = models::load_model(path);
  // Class-index labels and Keras's accuracy, whatever the model was compiled with.
  model.compile("adam", losses::SparseCategoricalCrossentropy{.from_logits = outputs_logits(model)},
                {"accuracy"});
  const auto data = datasets::mnist::load_data(data_dir);
  const auto scores = model.evaluate(mnist_input(data.x_test, model), data.y_test,
                                     {.batch_size = batch_size, .verbose = verbose});
  std::printf("%s: test accuracy %.4f - test loss %.4f (%lld images)\n", path.string().c_str(),
              scores[1], scores[0], static_cast<long long>(data.x_test.shape()[0]));
  return 0;
}

int summary(const std::filesystem::path& path, bool json) {
  const Sequential model = models::load_model(path);
  if (json)
    std::cout << model_json(model).dump(2) << "\n";
  else
    model.summary();
  return 0;
}

int predict(const PredictOptions& o) {
  Predictor predictor([&] { return models::load_model(o.model); }, 1);
  if (predictor.input_size() != kMnistSide * kMnistSide)
    throw ValueError("model '" + o.model.string() + "' takes inputs of shape " +
                     predictor.input_shape().str() + ", not 28x28 images");
  if (o.save_inputs && !std::filesystem::is_directory(*o.save_inputs))
    throw IOError("--save-inputs '" + o.save_inputs->string() + "' is not a directory");

  // Preprocess every image (a bad one is reported and skipped), then predict them as one batch.
  std::vector<float> batch;
  std::vector<std::string> errors(o.images.size());
  for (size_t i = 0; i < o.images.size(); ++i) {
    try {
      const MnistPixels pixels = preprocess_mnist(read_png(o.images[i]));
      batch.insert(batch.end(), pixels.begin(), pixels.end());
      if (o.save_inputs)
        write_png(*o.save_inputs / (o.images[i].stem().string() + ".28x28.png"),
                  mnist_image(pixels));
    } catch (const Error& e) {
      errors[i] = e.what();
    }
  }
  const int64_t n = static_cast<int64_t>(batch.size()) / predictor.input_size();
  const std::vector<float> probs = n > 0 ? predictor.predict(batch, n) : std::vector<float>{};

  const int64_t classes = predictor.num_classes();
  nlohmann::json out = nlohmann::json::array();
  int64_t row = 0;
  for (size_t i = 0; i < o.images.size(); ++i) {
    const std::string file = o.images[i].string();
    if (!errors[i].empty()) {
      if (o.json) out.push_back({{"file", file}, {"error", errors[i]}});
      std::cerr << "kerascpp predict: " << file << ": " << errors[i] << "\n";
      continue;
    }
    const float* p = probs.data() + row++ * classes;
    std::vector<int64_t> order(static_cast<size_t>(classes));
    for (int64_t c = 0; c < classes; ++c) order[size_t(c)] = c;
    std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return p[a] > p[b]; });
    if (o.json) {
      out.push_back({{"file", file},
                     {"class", order[0]},
                     {"probabilities", float_array({p, static_cast<size_t>(classes)})}});
    } else {
      std::cout << file << ": " << order[0] << " (" << percent(p[order[0]])
                << ")  next: " << order[1] << " (" << percent(p[order[1]]) << "), " << order[2]
                << " (" << percent(p[order[2]]) << ")\n";
    }
  }
  if (o.json) std::cout << nlohmann::json{{"predictions", out}}.dump(2) << "\n";
  return n == static_cast<int64_t>(o.images.size()) ? 0 : 1;
}

namespace {
sem_t g_stop_signal;
// Only sem_post: it is async-signal-safe; the watcher thread does the rest.
extern "C" void on_stop_signal(int) {
  sem_post(&g_stop_signal);
}
}  // namespace

int serve(const std::filesystem::path& path, const ServerOptions& options) {
  // Each worker runs whole predictions; threads inside one prediction would only compete.
  config::set_num_threads(1);
  auto predictor =
      std::make_shared<Predictor>([&] { return models::load_model(path); }, options.threads);
  Server server(predictor, options);
  const int port = server.bind();

  // Ctrl+C or SIGTERM: stop accepting, let the requests in flight finish, exit 0.
  sem_init(&g_stop_signal, 0, 0);
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    while (sem_wait(&g_stop_signal) != 0) continue;  // EINTR
    // A signal can come before the server listens, when stop() would do nothing.
    while (!done && !server.running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (!done) server.stop();
  });
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  const auto& info = predictor->info();
  std::cout << "kerascpp serve: model '" << info["name"].get<std::string>() << "' ("
            << utils::with_thousands(info["params"]["total"].get<int64_t>())
            << " parameters) at http://" << options.host << ":" << port << "/  (" << options.threads
            << " workers; Ctrl+C stops)" << std::endl;
  if (options.host != "127.0.0.1" && options.host != "localhost" && options.host != "::1")
    std::cerr << "kerascpp serve: listening on " << options.host
              << ": anyone who can reach this address can use the model\n";
  server.run();
  done = true;
  sem_post(&g_stop_signal);
  watcher.join();
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  std::cout << "kerascpp serve: stopped" << std::endl;
  return 0;
}

}  // namespace keras::app
