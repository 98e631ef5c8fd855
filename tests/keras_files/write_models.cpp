// Writes, with kerascpp, the same architectures as three real Keras fixture files, so that
// compare_structure.py can check the files group by group against what Keras wrote; plus each
// model's output for the manifest's "ramp" image, for an independent NumPy forward pass.
//
//   keras_files_write_models OUT_DIR
#include <fstream>
#include <iostream>
#include <keras/keras.hpp>

namespace {

using namespace keras;
using namespace keras::layers;

Tensor ramp(const Shape& shape) {
  Tensor x(Shape{1, 784});
  for (int i = 0; i < 784; ++i) x[i] = float((i * 7) % 256) / 255.0f;
  return x.reshape(shape.with_batch(1));
}

// One optimizer step on random data, so the optimizer variables exist (as after Keras's fit).
void one_step(Sequential& model) {
  random::Generator gen(1);
  Tensor x(model.input_shape()->with_batch(4)), y(Shape{4});
  for (auto& v : x) v = gen.uniform();
  for (auto& v : y) v = float(gen.below(10));
  model.fit(x, y, {.epochs = 1, .batch_size = 4, .verbose = 0});
}

nlohmann::json outputs(Sequential& model) {
  const Tensor out = model.predict(ramp(*model.input_shape()), {.verbose = 0});
  return std::vector<float>(out.begin(), out.end());
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc != 2) {
    std::cerr << "usage: keras_files_write_models OUT_DIR\n";
    return 2;
  }
  const std::filesystem::path out = argv[1];
  std::filesystem::create_directories(out);
  utils::set_random_seed(5);
  nlohmann::json predictions;

  // mnist-mlp-dropout-k3.10.keras: Keras's default names in a fresh session.
  backend::clear_session();
  Sequential mlp_dropout{Input({28, 28}),   Flatten(),    Dense(128, "relu"),  Dropout(0.2),
                         Dense(32, "relu"), Dropout(0.2), Dense(10, "softmax")};
  mlp_dropout.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  one_step(mlp_dropout);
  mlp_dropout.save(out / "mlp-dropout.keras");
  predictions["mlp-dropout.keras"] = outputs(mlp_dropout);

  // mnist-mlp-logits-k3.11.weights.h5: named layers, model "mnist_model", logits.
  Sequential logits(
      {Input({784}), Dense(256, "relu", {.name = "L0"}), Dense(128, "relu", {.name = "L1"}),
       Dense(64, "relu", {.name = "L2"}), Dense(10, "linear", {.name = "OL"})},
      "mnist_model");
  logits.compile("adam", losses::SparseCategoricalCrossentropy{.from_logits = true}, {"accuracy"});
  one_step(logits);
  logits.save_weights(out / "mlp-logits.weights.h5");
  logits.save(out / "mlp-logits.keras");
  predictions["mlp-logits.keras"] = outputs(logits);

  // mnist-mlp-k2.12.h5 (legacy full model).
  backend::clear_session();
  Sequential mlp{Input({28, 28}), Flatten(), Dense(128, "relu"), Dense(10, "softmax")};
  mlp.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  one_step(mlp);
  mlp.save(out / "mlp.h5");
  mlp.save_weights(out / "mlp-weights-legacy.h5");
  predictions["mlp.h5"] = outputs(mlp);

  std::ofstream(out / "predictions.json") << predictions.dump(1) << "\n";
  std::cout << "wrote kerascpp files to " << out << "\n";
  return 0;
} catch (const keras::Error& e) {
  std::cerr << "error: " << e.what() << "\n";
  return 1;
}
