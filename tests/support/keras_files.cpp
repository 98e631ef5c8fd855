#include "support/keras_files.hpp"

#include <cstring>
#include <map>
#include <mutex>

namespace keras::testing {

namespace fs = std::filesystem;

std::optional<fs::path> keras_fixtures_dir() {
  const fs::path dir =
      fs::path(KERASCPP_SOURCE_DIR) / ".." / "shared" / "fixtures" / "keras-models";
  if (fs::exists(dir / "MANIFEST.md")) return fs::weakly_canonical(dir);
  return std::nullopt;
}

const MnistTest& mnist_test(const fs::path& dir) {
  static std::mutex m;
  static std::map<std::string, MnistTest> cache;
  std::lock_guard lock(m);
  auto it = cache.find(dir.string());
  if (it == cache.end()) {
    auto data = datasets::mnist::load_data(dir);
    it = cache.emplace(dir.string(), MnistTest{data.x_test.astype<float>() / 255.0f, data.y_test})
             .first;
  }
  return it->second;
}

Tensor synthetic_input(const std::string& kind) {
  Tensor x(Shape{1, 28, 28});
  if (kind == "ramp")
    for (int i = 0; i < 28; ++i)
      for (int j = 0; j < 28; ++j) x[i * 28 + j] = float(((28 * i + j) * 7) % 256);
  return x / 255.0f;
}

int64_t count_correct(const Tensor& outputs, const ByteArray& labels) {
  const auto predicted = outputs.argmax(-1);
  int64_t correct = 0;
  for (int64_t i = 0; i < labels.size(); ++i) correct += predicted[i] == int64_t(labels[i]);
  return correct;
}

Sequential small_mlp(uint64_t seed, bool dropout) {
  utils::set_random_seed(seed);
  using namespace layers;
  Sequential model = dropout ? Sequential{Input({28, 28}), Flatten(), Dense(32, "relu"),
                                          Dropout(0.2), Dense(10, "softmax")}
                             : Sequential{Input({28, 28}), Flatten(), Dense(32, "relu"),
                                          Dense(16, "relu"), Dense(10, "softmax")};
  model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  return model;
}

std::pair<Tensor, Tensor> random_data(int64_t n, uint64_t seed) {
  random::Generator gen(seed);
  Tensor x(Shape{n, 28, 28}), y(Shape{n});
  for (auto& v : x) v = gen.uniform();
  for (auto& v : y) v = float(gen.below(10));
  return {x, y};
}

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() &&
         std::memcmp(a.data(), b.data(), sizeof(float) * size_t(a.size())) == 0;
}

bool same_weights(const Sequential& a, const Sequential& b) {
  const auto wa = a.get_weights(), wb = b.get_weights();
  if (wa.size() != wb.size()) return false;
  for (size_t i = 0; i < wa.size(); ++i)
    if (!same_bits(wa[i], wb[i])) return false;
  return true;
}

}  // namespace keras::testing
