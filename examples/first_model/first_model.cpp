// The Keras "first model" tutorial (MNIST, the "Hello World" of deep learning), step by step
// in C++. Each block mirrors one step of the Python tutorial; the prints are the tutorial's.
//
//   first_model [--epochs N] [--lang zh|en] [--data DIR] [--threads N] [--seed N]
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <keras/keras.hpp>
#include <string>

namespace {

struct Args {
  int epochs = 5;
  std::string lang = "zh";
  std::optional<std::filesystem::path> data;
  int threads = 0;
  std::optional<uint64_t> seed;
};

[[noreturn]] void usage(const char* problem) {
  std::cerr << "first_model: " << problem << "\n"
            << "usage: first_model [--epochs N] [--lang zh|en] [--data DIR] [--threads N] [--seed N]\n";
  std::exit(2);
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value after " + k).c_str());
      return argv[++i];
    };
    try {
      if (k == "--epochs") a.epochs = std::stoi(value());
      else if (k == "--lang") a.lang = value();
      else if (k == "--data") a.data = value();
      else if (k == "--threads") a.threads = std::stoi(value());
      else if (k == "--seed") a.seed = std::stoull(value());
      else if (k == "--help" || k == "-h") usage("help");
      else usage(("unknown argument " + k).c_str());
    } catch (const std::logic_error&) {
      usage(("bad number for " + k).c_str());
    }
  }
  if (a.lang != "zh" && a.lang != "en") usage("--lang must be zh or en");
  return a;
}

}  // namespace

int main(int argc, char** argv) try {
  const Args args = parse(argc, argv);
  const bool zh = args.lang == "zh";
  if (args.threads > 0) keras::config::set_num_threads(args.threads);
  if (args.seed) keras::utils::set_random_seed(*args.seed);
  using namespace keras::layers;

  // Step 2: load the data
  auto [x_train_raw, y_train, x_test_raw, y_test] = keras::datasets::mnist::load_data(args.data);
  std::cout << (zh ? "训练集: " : "Training set: ") << x_train_raw.shape() << ", " << y_train.shape() << "\n";
  std::cout << (zh ? "测试集: " : "Test set: ") << x_test_raw.shape() << ", " << y_test.shape() << "\n";

  // Step 3: preprocessing (0-255 -> 0.0-1.0)
  // Python rebinds x_train, which frees the uint8 images as soon as they are scaled: so do we.
  auto x_train = x_train_raw.astype<float>() / 255.0f;
  x_train_raw = {};
  auto x_test = x_test_raw.astype<float>() / 255.0f;
  x_test_raw = {};

  // Step 4: build the model
  keras::Sequential model{
      Flatten({28, 28}),
      Dense(128, "relu"),
      Dropout(0.2),
      Dense(10, "softmax"),
  };
  model.summary();

  // Step 5: compile
  model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});

  // Step 6: train
  auto history = model.fit(x_train, y_train,
                           {.epochs = args.epochs, .batch_size = 32, .validation_split = 0.1, .verbose = 1});

  // Step 7: evaluate
  auto scores = model.evaluate(x_test, y_test, {.verbose = 0});
  const double test_acc = scores[1];
  std::printf(zh ? "\n测试集准确率: %.4f\n" : "\nTest accuracy: %.4f\n", test_acc);

  // Step 8: predict
  auto predictions = model.predict(x_test.head(5));
  auto predicted_classes = predictions.argmax(1);
  std::cout << (zh ? "预测结果: " : "Predicted: ") << predicted_classes << "\n";
  std::cout << (zh ? "真实标签: " : "True labels: ") << y_test.head(5) << "\n";
  (void)history;
  return 0;
} catch (const keras::Error& e) {
  std::cerr << "error: " << e.what() << "\n";
  return 1;
}
