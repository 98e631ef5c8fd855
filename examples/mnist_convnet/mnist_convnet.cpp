// The keras.io "Simple MNIST convnet" example, line for line in C++: a small convnet that
// reaches ~99% test accuracy on MNIST.
//
//   mnist_convnet [--epochs N] [--limit N] [--data DIR] [--threads N] [--seed N] [--verbose 0|1|2]
//                 [--min-accuracy X]
//
// --limit trains on the first N training images only; --min-accuracy makes the program exit
// with status 3 when the test accuracy ends below X (CTest runs it shortened that way).
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <keras/keras.hpp>
#include <string>

namespace {

struct Args {
  int epochs = 15;
  int64_t limit = 0;
  std::optional<std::filesystem::path> data;
  int threads = 0;
  std::optional<uint64_t> seed;
  int verbose = 1;
  double min_accuracy = 0;
};

[[noreturn]] void usage(const std::string& problem) {
  std::cerr
      << "mnist_convnet: " << problem << "\n"
      << "usage: mnist_convnet [--epochs N] [--limit N] [--data DIR] [--threads N] [--seed N]\n"
      << "                     [--verbose 0|1|2] [--min-accuracy X]\n";
  std::exit(2);
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage("missing value after " + k);
      return argv[++i];
    };
    try {
      if (k == "--epochs")
        a.epochs = std::stoi(value());
      else if (k == "--limit")
        a.limit = std::stoll(value());
      else if (k == "--data")
        a.data = value();
      else if (k == "--threads")
        a.threads = std::stoi(value());
      else if (k == "--seed")
        a.seed = std::stoull(value());
      else if (k == "--verbose")
        a.verbose = std::stoi(value());
      else if (k == "--min-accuracy")
        a.min_accuracy = std::stod(value());
      else if (k == "--help" || k == "-h")
        usage("help");
      else
        usage("unknown argument " + k);
    } catch (const std::logic_error&) {
      usage("bad number for " + k);
    }
  }
  return a;
}

}  // namespace

int main(int argc, char** argv) try {
  const Args args = parse(argc, argv);
  if (args.threads > 0) keras::config::set_num_threads(args.threads);
  if (args.seed) keras::utils::set_random_seed(*args.seed);
  using namespace keras::layers;

  // Prepare the data
  const int num_classes = 10;
  auto [x_train_raw, y_train_raw, x_test_raw, y_test_raw] =
      keras::datasets::mnist::load_data(args.data);
  if (args.limit > 0) {
    x_train_raw = x_train_raw.head(args.limit);
    y_train_raw = y_train_raw.head(args.limit);
  }
  // Scale images to the [0, 1] range and give them a channel axis (np.expand_dims(x, -1)).
  auto x_train = (x_train_raw.astype<float>() / 255.0f).reshape({-1, 28, 28, 1});
  auto x_test = (x_test_raw.astype<float>() / 255.0f).reshape({-1, 28, 28, 1});
  std::cout << "x_train shape: " << x_train.shape() << "\n";
  std::cout << x_train.shape()[0] << " train samples\n";
  std::cout << x_test.shape()[0] << " test samples\n";
  // Convert class vectors to binary class matrices
  auto y_train = keras::utils::to_categorical(y_train_raw, num_classes);
  auto y_test = keras::utils::to_categorical(y_test_raw, num_classes);

  // Build the model
  keras::Sequential model{
      Input({28, 28, 1}),   Conv2D(32, {3, 3}, "relu"),
      MaxPooling2D({2, 2}), Conv2D(64, {3, 3}, "relu"),
      MaxPooling2D({2, 2}), Flatten(),
      Dropout(0.5),         Dense(num_classes, "softmax"),
  };
  model.summary();

  // Train the model
  const int batch_size = 128;
  model.compile("adam", "categorical_crossentropy", {"accuracy"});
  model.fit(x_train, y_train,
            {.epochs = args.epochs,
             .batch_size = batch_size,
             .validation_split = 0.1,
             .verbose = args.verbose});

  // Evaluate the trained model
  const auto score = model.evaluate(x_test, y_test, {.verbose = 0});
  std::printf("Test loss: %.4f\n", score[0]);
  std::printf("Test accuracy: %.4f\n", score[1]);
  if (score[1] < args.min_accuracy) {
    std::fprintf(stderr, "mnist_convnet: test accuracy %.4f is below --min-accuracy %.4f\n",
                 score[1], args.min_accuracy);
    return 3;
  }
  return 0;
} catch (const keras::Error& e) {
  std::cerr << "error: " << e.what() << "\n";
  return 1;
}
