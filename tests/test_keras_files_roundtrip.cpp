// Round trips through every format kerascpp writes: identical predictions and weights bit for
// bit, compile settings and optimizer state restored, training resumed from a checkpoint ends
// with the same weights as an uninterrupted run; plus the config variants Keras writes.
#include <cstring>

#include "support/keras_files.hpp"

using namespace keras;
using keras::testing::random_data;
using keras::testing::same_bits;
using keras::testing::same_weights;
using keras::testing::small_mlp;
using keras::testing::TempDir;

namespace {

void train_a_little(Sequential& model, int64_t n = 256, int epochs = 1) {
  auto [x, y] = random_data(n, 7);
  model.fit(x, y, {.epochs = epochs, .batch_size = 32, .shuffle = false, .verbose = 0});
}

void expect_same_optimizer(Sequential& a, Sequential& b) {
  ASSERT_TRUE(a.compiled() && b.compiled());
  auto& oa = a.optimizer();
  auto& ob = b.optimizer();
  EXPECT_EQ(oa.class_name(), ob.class_name());
  EXPECT_EQ(oa.iterations(), ob.iterations());
  EXPECT_EQ(oa.learning_rate(), ob.learning_rate());
  ASSERT_EQ(oa.built(), ob.built());
  if (!oa.built()) return;
  for (size_t s = 0; s < oa.slot_names().size(); ++s) {
    const auto sa = oa.slot(s), sb = ob.slot(s);
    ASSERT_EQ(sa.size(), sb.size());
    EXPECT_EQ(std::memcmp(sa.data(), sb.data(), sa.size() * sizeof(float)), 0)
        << oa.slot_names()[s];
  }
}

class FullModelRoundTrip : public ::testing::TestWithParam<std::string> {};

}  // namespace

TEST_P(FullModelRoundTrip, SameWeightsPredictionsCompileAndOptimizer) {
  TempDir tmp;
  const auto path = tmp / ("model" + GetParam());
  Sequential model = small_mlp(11);
  train_a_little(model);
  model.save(path);
  Sequential loaded = models::load_model(path);
  EXPECT_EQ(loaded.name(), model.name());
  ASSERT_EQ(loaded.layers().size(), model.layers().size());
  for (size_t i = 0; i < model.layers().size(); ++i) {
    EXPECT_EQ(loaded.layers()[i]->name(), model.layers()[i]->name());
    EXPECT_EQ(loaded.layers()[i]->get_config(), model.layers()[i]->get_config());
  }
  EXPECT_TRUE(same_weights(model, loaded));
  auto [x, y] = random_data(100, 3);
  EXPECT_TRUE(same_bits(model.predict(x, {.verbose = 0}), loaded.predict(x, {.verbose = 0})));
  EXPECT_EQ(loaded.metric_names(), model.metric_names());
  EXPECT_EQ(loaded.loss().name(), model.loss().name());
  expect_same_optimizer(model, loaded);
}

INSTANTIATE_TEST_SUITE_P(Formats, FullModelRoundTrip, ::testing::Values(".keras", ".h5"),
                         [](const auto& p) { return p.param == ".keras" ? "keras" : "h5"; });

TEST(KerasFilesRoundTrip, WeightsFilesIntoAFreshModel) {
  TempDir tmp;
  for (const std::string ext : {".weights.h5", ".h5"}) {
    Sequential model = small_mlp(5);
    train_a_little(model);
    model.save_weights(tmp / ("w" + ext));
    Sequential other = small_mlp(6);  // same architecture, other initial weights
    ASSERT_FALSE(same_weights(model, other));
    other.load_weights(tmp / ("w" + ext));
    EXPECT_TRUE(same_weights(model, other)) << ext;
    auto [x, y] = random_data(50, 4);
    EXPECT_TRUE(same_bits(model.predict(x, {.verbose = 0}), other.predict(x, {.verbose = 0})))
        << ext;
  }
}

TEST(KerasFilesRoundTrip, LoadWeightsFromFullModelFiles) {
  TempDir tmp;
  Sequential model = small_mlp(8);
  train_a_little(model);
  for (const std::string ext : {".keras", ".h5"}) {
    model.save(tmp / ("m" + ext));
    Sequential other = small_mlp(9);
    other.load_weights(tmp / ("m" + ext));
    EXPECT_TRUE(same_weights(model, other)) << ext;
    expect_same_optimizer(model, other);
  }
}

TEST(KerasFilesRoundTrip, UncompiledAndUntrainedModels) {
  TempDir tmp;
  using namespace layers;
  Sequential plain{Input({5}), Dense(3, "tanh"), Dense(2, "sigmoid", {.use_bias = false})};
  for (const std::string ext : {".keras", ".h5"}) {
    plain.save(tmp / ("p" + ext));
    Sequential back = models::load_model(tmp / ("p" + ext));
    EXPECT_FALSE(back.compiled());
    EXPECT_TRUE(same_weights(plain, back)) << ext;
  }
  // Compiled but never trained: Keras saves only iteration and learning_rate.
  Sequential fresh = small_mlp(3);
  fresh.save(tmp / "fresh.keras");
  Sequential back = models::load_model(tmp / "fresh.keras");
  ASSERT_TRUE(back.compiled());
  EXPECT_FALSE(back.optimizer().built());
  EXPECT_EQ(back.optimizer().iterations(), 0);
}

TEST(KerasFilesRoundTrip, LogitsLossAndSgdSurvive) {
  TempDir tmp;
  utils::set_random_seed(2);
  using namespace layers;
  Sequential model{Input({28, 28}), Flatten(), Dense(10)};
  model.compile(optimizers::SGD{.learning_rate = 0.05f, .momentum = 0.9f},
                losses::SparseCategoricalCrossentropy{.from_logits = true}, {"accuracy"});
  train_a_little(model);
  for (const std::string ext : {".keras", ".h5"}) {
    model.save(tmp / ("m" + ext));
    Sequential back = models::load_model(tmp / ("m" + ext));
    ASSERT_TRUE(back.compiled());
    EXPECT_TRUE(back.loss().from_logits()) << ext;
    EXPECT_EQ(back.optimizer().class_name(), "SGD");
    expect_same_optimizer(model, back);
  }
}

// Save in the middle of training, load, continue: the same weights as an uninterrupted run.
// (Deterministic training: no shuffling, no dropout; batch order and dropout masks come from the
// global seed, not from the file, in kerascpp as in Keras.)
TEST(KerasFilesRoundTrip, ResumeTrainingMatchesUninterruptedRun) {
  TempDir tmp;
  auto [x, y] = random_data(320, 21);
  const models::FitOptions one_epoch{.epochs = 1, .batch_size = 32, .shuffle = false, .verbose = 0};

  Sequential straight = small_mlp(42, /*dropout=*/false);
  straight.fit(x, y, one_epoch);
  straight.fit(x, y, one_epoch);

  for (const std::string how : {".keras", ".h5", ".weights.h5"}) {
    Sequential first = small_mlp(42, false);
    first.fit(x, y, one_epoch);
    Sequential resumed = small_mlp(1, false);  // different initial weights, replaced by the file
    if (how == ".weights.h5") {
      first.save_weights(tmp / ("ckpt" + how));
      resumed.load_weights(tmp / ("ckpt" + how));
    } else {
      first.save(tmp / ("ckpt" + how));
      resumed = models::load_model(tmp / ("ckpt" + how));
    }
    resumed.fit(x, y, one_epoch);
    EXPECT_TRUE(same_weights(straight, resumed)) << how;
    expect_same_optimizer(straight, resumed);
  }

  // Without the optimizer state the run differs: the test above is not vacuous.
  Sequential first = small_mlp(42, false);
  first.fit(x, y, one_epoch);
  first.save_weights(tmp / "plain.weights.h5");
  Sequential uncompiled{layers::Input({28, 28}), layers::Flatten(), layers::Dense(32, "relu"),
                        layers::Dense(16, "relu"), layers::Dense(10, "softmax")};
  uncompiled.load_weights(tmp /
                          "plain.weights.h5");  // not compiled: the optimizer state is not read
  uncompiled.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  uncompiled.fit(x, y, one_epoch);
  EXPECT_FALSE(same_weights(straight, uncompiled));
}

TEST(KerasFilesRoundTrip, ByteIdenticalFilesForIdenticalModels) {
  // No timestamps inside the HDF5 file: the same model gives the same weights file.
  backend::clear_session();
  Sequential a = small_mlp(77);
  backend::clear_session();
  Sequential b = small_mlp(77);
  EXPECT_TRUE(io::weights_h5_bytes(a) == io::weights_h5_bytes(b));
}

TEST(KerasFilesRoundTrip, ArchiveLayoutIsKeras3s) {
  Sequential model = small_mlp(4);
  train_a_little(model);
  auto zip = io::ZipReader::from_bytes(io::keras_archive_bytes(model));
  ASSERT_EQ(zip.entries().size(), 3u);
  EXPECT_EQ(zip.entries()[0].name, "metadata.json");
  EXPECT_EQ(zip.entries()[1].name, "config.json");
  EXPECT_EQ(zip.entries()[2].name, "model.weights.h5");
  for (const auto& e : zip.entries()) EXPECT_TRUE(e.stored()) << e.name;
  const auto config = nlohmann::json::parse(zip.read("config.json", 1 << 20));
  EXPECT_EQ(config["class_name"], "Sequential");
  EXPECT_EQ(config["module"], "keras");
  EXPECT_TRUE(config.contains("compile_config"));
  EXPECT_EQ(config["config"]["layers"][0]["class_name"], "InputLayer");
  EXPECT_EQ(config["config"]["layers"][0]["config"]["batch_shape"],
            nlohmann::json::parse("[null, 28, 28]"));
  EXPECT_EQ(config["config"]["layers"][2]["build_config"]["input_shape"],
            nlohmann::json::parse("[null, 784]"));
  const auto metadata = nlohmann::json::parse(zip.read("metadata.json", 1 << 20));
  EXPECT_TRUE(metadata.contains("keras_version"));
}

// ---- config variants (MANIFEST.md "Config JSON")
// -------------------------------------------------
namespace {
const char* kDense =
    R"("kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}})";

Sequential from(const std::string& config) {
  return models::model_from_json(config);
}
}  // namespace

TEST(KerasConfigVariants, NoInputLayerBatchInputShapeOnFirstLayer) {  // Keras 2.2/2.3
  auto m = from(
      std::string(R"({"class_name": "Sequential", "config": {"name": "sequential_1", "layers": [
      {"class_name": "Dense", "config": {"name": "dense_1", "batch_input_shape": [null, 20], "units": 4, )") +
      kDense + R"(}}]}})");
  EXPECT_EQ(*m.input_shape(), (Shape{20}));
  EXPECT_EQ(m.layers()[0]->name(), "dense_1");
  EXPECT_EQ(m.count_params(), 84);
}

TEST(KerasConfigVariants,
     InputLayerWithBatchInputShapeAndDtypePolicy) {  // tf.keras 2.10+ / Keras 3.4+
  auto m = from(R"({"class_name": "Sequential", "config": {"name": "s", "layers": [
      {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 6], "dtype": "float32", "ragged": false,
                                              "sparse": false, "name": "in"}},
      {"module": "keras.layers", "class_name": "Dense", "registered_name": null,
       "config": {"name": "d", "units": 2, "activation": "softmax", "quantization_config": null, "some_future_key": 1,
                  "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"},
                            "registered_name": null, "shared_object_id": 1}},
       "build_config": {"input_shape": [null, 6]}}]}})");
  EXPECT_EQ(*m.input_shape(), (Shape{6}));
  EXPECT_EQ(m.input_name(), "");
}

TEST(KerasConfigVariants, Keras20ListConfigAndBuildInputShape) {
  auto m = from(R"({"class_name": "Sequential", "config": [
      {"class_name": "Flatten", "config": {"name": "f"}}, {"class_name": "Dense", "config": {"name": "d", "units": 3}}]})");
  EXPECT_FALSE(m.built());  // no shape anywhere: built later by fit/predict, as in Keras
  auto b = from(
      R"({"class_name": "Sequential", "config": {"name": "s", "build_input_shape": [null, 4, 4], "layers": [
      {"class_name": "Flatten", "config": {"name": "f"}}, {"class_name": "Dense", "config": {"name": "d", "units": 3}}]}})");
  EXPECT_EQ(*b.input_shape(), (Shape{4, 4}));
}

TEST(KerasConfigVariants, ClearErrors) {
  auto expect_error = [](const std::string& config, const std::string& part) {
    try {
      from(config);
      ADD_FAILURE() << "no error for " << config;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
  };
  const std::string head = R"({"class_name": "Sequential", "config": {"name": "s", "layers": [)";
  expect_error(head + R"({"class_name": "InputLayer", "config": {"batch_shape": [null, 3]}},
                        {"class_name": "Conv3DTranspose", "config": {"name": "c"}}]}})",
               "layer Conv3DTranspose is not supported yet");
  expect_error(
      head +
          R"({"class_name": "Dense", "config": {"units": 3, "dtype": "float16", "batch_input_shape": [null, 2]}}]}})",
      "dtype");
  expect_error(head + R"({"class_name": "Dense", "config": {"units": -3}}]}})", "units");
  expect_error(head + R"({"class_name": "Dense", "config": {"units": 3, "activation": "gelu"}}]}})",
               "gelu");
  expect_error(
      head +
          R"({"class_name": "Dense", "config": {"units": 1000000, "batch_input_shape": [null, 1000000]}}]}})",
      "more than");
  expect_error(R"({"class_name": "Functional", "config": {}})", "Sequential");
  expect_error("{not json", "not valid JSON");
  expect_error(head + R"({"class_name": "Dense", "config": {"units": 3, "name": "a/b"}}]}})",
               "name");
}

// Keras 3 names the weight groups by snake_case class name and position (layers/conv2d_1, ...).
TEST(KerasFilesNaming, SnakeCaseLikeKeras) {
  EXPECT_EQ(layers::to_snake_case("Conv2D"), "conv2d");
  EXPECT_EQ(layers::to_snake_case("MaxPooling2D"), "max_pooling2d");
  EXPECT_EQ(layers::to_snake_case("BatchNormalization"), "batch_normalization");
  EXPECT_EQ(layers::to_snake_case("InputLayer"), "input_layer");
}
