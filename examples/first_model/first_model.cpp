// The Keras "first model" tutorial (MNIST, the "Hello World" of deep learning), step by step
// in C++. Each block mirrors one step of the Python tutorial; the prints are the tutorial's.
//
// At the end it draws the tutorial's two pictures, training.png (loss and accuracy curves) and
// predictions.png (the first ten test digits with their predicted and true classes).
//
//   first_model [--epochs N] [--lang zh|en] [--data DIR] [--out DIR] [--threads N] [--seed N]
//
// --lang defaults to the locale's language ($LC_ALL, $LC_MESSAGES, $LANG): English for a locale
// of another language (en_US.UTF-8), else the tutorial's Chinese (zh_CN, C, POSIX, none set).
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <keras/keras.hpp>
#include <string>

namespace {

struct Args {
  int epochs = 5;
  keras::utils::Language lang = keras::utils::default_language();
  std::optional<std::filesystem::path> data;
  std::filesystem::path out;  // empty: the current directory
  int threads = 0;
  std::optional<uint64_t> seed;
};

[[noreturn]] void usage(const char* problem) {
  std::cerr << "first_model: " << problem << "\n"
            << "usage: first_model [--epochs N] [--lang zh|en] [--data DIR] [--out DIR] [--threads "
               "N] [--seed N]\n";
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
      if (k == "--epochs")
        a.epochs = std::stoi(value());
      else if (k == "--lang")
        a.lang = keras::utils::parse_language(value());
      else if (k == "--data")
        a.data = value();
      else if (k == "--out")
        a.out = value();
      else if (k == "--threads")
        a.threads = std::stoi(value());
      else if (k == "--seed")
        a.seed = std::stoull(value());
      else if (k == "--help" || k == "-h")
        usage("help");
      else
        usage(("unknown argument " + k).c_str());
    } catch (const keras::ValueError& e) {
      usage(e.what());
    } catch (const std::logic_error&) {
      usage(("bad number for " + k).c_str());
    }
  }
  return a;
}

}  // namespace

int main(int argc, char** argv) try {
  const Args args = parse(argc, argv);
  using keras::utils::Message;
  auto tr = [&](Message m) { return keras::utils::tr(m, args.lang); };
  if (args.threads > 0) keras::config::set_num_threads(args.threads);
  if (args.seed) keras::utils::set_random_seed(*args.seed);
  using namespace keras::layers;

  // Step 2: load the data
  auto [x_train_raw, y_train, x_test_raw, y_test] = keras::datasets::mnist::load_data(args.data);
  std::cout << tr(Message::training_set) << ": " << x_train_raw.shape() << ", " << y_train.shape()
            << "\n";
  std::cout << tr(Message::test_set) << ": " << x_test_raw.shape() << ", " << y_test.shape()
            << "\n";

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
  auto history =
      model.fit(x_train, y_train,
                {.epochs = args.epochs, .batch_size = 32, .validation_split = 0.1, .verbose = 1});

  // Step 7: evaluate
  auto scores = model.evaluate(x_test, y_test, {.verbose = 0});
  const double test_acc = scores[1];
  std::printf("\n%s: %.4f\n", std::string(tr(Message::test_accuracy)).c_str(), test_acc);

  // Step 8: predict
  auto predictions = model.predict(x_test.head(5));
  auto predicted_classes = predictions.argmax(1);
  std::cout << tr(Message::predicted_classes) << ": " << predicted_classes << "\n";
  std::cout << tr(Message::true_labels) << ": " << y_test.head(5) << "\n";

  // Visualise: the training curves and the first ten test digits with their predictions
  const auto training_png = args.out / "training.png";
  const auto predictions_png = args.out / "predictions.png";
  keras::plot::history(history, training_png, {.lang = args.lang});
  keras::plot::predictions(x_test, y_test, model.predict(x_test.head(10)), predictions_png,
                           {.n = 10, .lang = args.lang});
  std::cout << "\n" << tr(Message::saved_training_plot) << " " << training_png.string() << "\n";
  std::cout << tr(Message::saved_predictions_plot) << " " << predictions_png.string() << "\n";
  return 0;
} catch (const keras::Error& e) {
  std::cerr << "error: " << e.what() << "\n";
  return 1;
}
