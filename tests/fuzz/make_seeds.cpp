// Writes the seed corpus of the fuzz targets: small .keras archives of varied models (and their
// config.json) made by kerascpp itself, so no third-party file is needed.
//   fuzz_make_seeds CORPUS_DIR   (creates CORPUS_DIR/keras_archive and CORPUS_DIR/model_config)
#include <fstream>
#include <iostream>
#include <keras/keras.hpp>

int main(int argc, char** argv) try {
  if (argc != 2) return 2;
  namespace fs = std::filesystem;
  using namespace keras;
  using namespace keras::layers;
  const fs::path dir = argv[1];
  fs::create_directories(dir / "keras_archive");
  fs::create_directories(dir / "model_config");
  fs::create_directories(dir / "weights_h5");
  utils::set_random_seed(1);
  std::vector<Sequential> models;
  models.emplace_back(Sequential{Input({3}), Dense(2, "softmax")});
  models.emplace_back(Sequential{Input({3}), Dense(4, "relu"), Dropout(0.5), Dense(2, "softmax")});
  models.back().compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  models.emplace_back(Sequential{Input({4}), Dense(3, "tanh", {.use_bias = false}), Dense(2)});
  models.back().compile(optimizers::SGD{.learning_rate = 0.1f, .momentum = 0.9f},
                        losses::SparseCategoricalCrossentropy{.from_logits = true}, {"accuracy"});
  models.emplace_back(Sequential{Input({5}), Dense(2, "sigmoid")});
  models.back().compile("adam", "mse");
  for (size_t i = 0; i < models.size(); ++i) {
    auto& m = models[i];
    if (m.compiled()) {  // one step, so the archive holds optimizer slots
      Tensor x(m.input_shape()->with_batch(2));
      Tensor y =
          m.loss().sparse_labels() ? Tensor(Shape{2}) : Tensor(m.output_shape().with_batch(2));
      m.fit(x, y, {.epochs = 1, .batch_size = 2, .verbose = 0});
    }
    const std::string bytes = io::keras_archive_bytes(m);
    std::ofstream(dir / "keras_archive" / ("seed" + std::to_string(i) + ".keras"), std::ios::binary)
        << bytes;
    std::ofstream(dir / "model_config" / ("seed" + std::to_string(i) + ".json"))
        << io::ZipReader::from_bytes(bytes).read("config.json", 1 << 20);
    if (i == 1) {  // the architecture fuzz_weights_h5 loads into: Keras 3 and legacy layouts
      std::ofstream(dir / "weights_h5" / "keras3.weights.h5", std::ios::binary)
          << io::weights_h5_bytes(m);
      m.save_weights(dir / "weights_h5" / "legacy.h5");
      m.save(dir / "weights_h5" / "legacy-full.h5");
    }
  }
  std::cout << "wrote " << models.size() << " seeds to " << dir << "\n";
  return 0;
} catch (const keras::Error& e) {
  std::cerr << e.what() << "\n";
  return 1;
}
