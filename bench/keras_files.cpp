// Save and load times, and file sizes, of .keras / .h5 / .weights.h5 for two MLPs: the
// tutorial's (101,770 weights) and a wide one (5.8 M weights), compiled and trained one step
// (so the Adam state is saved too). Each figure is the median of `repeats` runs; every save
// includes the fsync that makes it crash-safe.
//
//   keras_files_bench [repeats] [dir]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <keras/keras.hpp>

namespace {

using namespace keras;
using Clock = std::chrono::steady_clock;

template <class F>
double median_ms(int repeats, F&& f) {
  std::vector<double> t;
  for (int i = 0; i < repeats; ++i) {
    const auto start = Clock::now();
    f();
    t.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

void run(const char* label, Sequential& model, int repeats, const std::filesystem::path& dir) {
  random::Generator gen(1);
  Tensor x(model.input_shape()->with_batch(32)), y(Shape{32});
  for (auto& v : x) v = gen.uniform();
  model.fit(x, y, {.epochs = 1, .batch_size = 32, .verbose = 0});
  for (const char* ext : {".keras", ".h5", ".weights.h5"}) {
    const auto path = dir / (std::string("bench") + ext);
    const bool weights = std::string(ext) == ".weights.h5";
    const double save =
        median_ms(repeats, [&] { weights ? model.save_weights(path) : model.save(path); });
    const double load = median_ms(repeats, [&] {
      if (weights)
        model.load_weights(path);
      else
        models::load_model(path);
    });
    std::printf("| %s | %s | %.1f | %.1f | %.2f |\n", label, ext, save, load,
                double(std::filesystem::file_size(path)) / (1 << 20));
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::atoi(argv[1]) : 5;
  const std::filesystem::path dir = argc > 2 ? argv[2] : std::filesystem::temp_directory_path();
  using namespace keras::layers;
  std::printf("| model | format | save ms | load ms | file MiB |\n|---|---|---|---|---|\n");
  Sequential mlp{Input({28, 28}), Flatten(), Dense(128, "relu"), Dropout(0.2),
                 Dense(10, "softmax")};
  mlp.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  run("tutorial MLP, 101,770 weights", mlp, repeats, dir);
  Sequential wide{Input({784}), Dense(2048, "relu"), Dense(2048, "relu"), Dense(10, "softmax")};
  wide.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  run("wide MLP, 5,824,522 weights", wide, repeats, dir);
  for (const char* ext : {".keras", ".h5", ".weights.h5"})
    std::filesystem::remove(dir / (std::string("bench") + ext));
  return 0;
}
