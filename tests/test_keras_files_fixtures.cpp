// The seven real Keras files of ../shared/fixtures/keras-models (MANIFEST.md), MLPs and CNNs
// (Conv2D, MaxPooling2D): each loads with the library's own layers and reproduces its measured
// MNIST test accuracy exactly and the reference outputs to 1e-5.
#include <cmath>

#include "support/keras_files.hpp"

using namespace keras;
using keras::testing::count_correct;
using keras::testing::mnist_test;
using keras::testing::synthetic_input;

namespace {

struct Reference {
  int argmax;
  std::vector<double> values;
};

struct FixtureCase {
  std::string file;
  Shape input;      // what the model takes per sample
  int64_t correct;  // manifest's measured accuracy x 10000
  Reference zeros, ramp;
};

// MANIFEST.md, "Reference outputs for synthetic inputs" (6 significant digits).
const FixtureCase kMlpDropout{"mnist-mlp-dropout-k3.10.keras",
                              {28, 28},
                              9758,
                              {5,
                               {0.11694, 0.0794919, 0.0507717, 0.0809102, 0.0635173, 0.253782,
                                0.0817901, 0.130103, 0.078725, 0.0639683}},
                              {2,
                               {1.79046e-05, 6.71831e-06, 0.637824, 0.344597, 5.10245e-08,
                                4.30318e-05, 0.00215007, 6.37523e-06, 0.0153254, 2.95078e-05}}};
const FixtureCase kMlp{"mnist-mlp-k2.12.h5",
                       {28, 28},
                       9800,
                       {5,
                        {0.0316611, 0.0756161, 0.0606596, 0.0394999, 0.137527, 0.360434, 0.0945169,
                         0.057303, 0.0566216, 0.0861613}},
                       {5,
                        {1.84854e-15, 1.17674e-12, 0.0242473, 1.86831e-05, 2.96297e-33, 0.975709,
                         2.44797e-05, 1.13566e-09, 7.80101e-08, 5.43758e-25}}};
const FixtureCase kLogits{"mnist-mlp-logits-k3.11.weights.h5",
                          {784},
                          9864,
                          {5,
                           {-2.05082, -2.7708, -1.21207, -0.216732, -1.69021, 2.57997, -0.971148,
                            -1.67733, -0.0227635, -1.99491}},
                          {5,
                           {-3.66342, -10.4868, -8.42845, -13.9168, -17.3779, 12.0856, 5.05253,
                            -7.91277, -7.93206, -16.9991}}};
const FixtureCase kCnnDropout{"mnist-cnn-dropout-k3.14.keras",
                              {28, 28, 1},
                              9918,
                              {1,
                               {0.105184, 0.125542, 0.0980488, 0.0901167, 0.0908076, 0.0974497,
                                0.0937391, 0.106399, 0.099061, 0.0936532}},
                              {7,
                               {1.9349e-06, 0.00246966, 0.231505, 0.0890207, 0.00148433, 0.00467773,
                                1.10967e-05, 0.669937, 0.000831823, 6.02856e-05}}};
const FixtureCase kConvnet{"mnist-convnet-k3.1-legacy.h5",
                           {28, 28, 1},
                           9928,
                           {1,
                            {0.100512, 0.120743, 0.0935728, 0.0939428, 0.0961134, 0.0954892,
                             0.0996837, 0.111119, 0.0963166, 0.0925074}},
                           {8,
                            {0.0001522, 4.16107e-07, 0.425473, 0.0721145, 7.4051e-05, 0.0172177,
                             7.98589e-05, 1.97189e-05, 0.48459, 0.000278367}}};
const FixtureCase kCnn23{"mnist-cnn-k2.3.1.h5",
                         {28, 28, 1},
                         9908,
                         {3,
                          {0.0915392, 0.100377, 0.0861405, 0.124547, 0.0958561, 0.11134, 0.085793,
                           0.0932365, 0.116395, 0.094776}},
                         {2,
                          {7.67456e-05, 0.00465582, 0.72935, 0.0779751, 0.000373201, 0.00863739,
                           5.70248e-05, 0.175356, 0.00346514, 5.42276e-05}}};
const FixtureCase kCnnWeights{"mnist-cnn-weightsonly-k2.15.h5",
                              {28, 28, 1},
                              9916,
                              {1,
                               {0.108041, 0.117668, 0.103919, 0.0863795, 0.0874552, 0.0908753,
                                0.0960192, 0.0978693, 0.111282, 0.100492}},
                              {3,
                               {0.00467308, 0.0602408, 0.213636, 0.365498, 0.0245138, 0.0444049,
                                0.00562839, 0.174265, 0.09135, 0.0157902}}};

// The manifest prints 6 significant digits: allow 1e-5 plus the rounding of the last digit.
void expect_reference(Sequential& model, const FixtureCase& c, const std::string& kind,
                      const Reference& ref) {
  const Tensor x = synthetic_input(kind).reshape(c.input.with_batch(1));
  const Tensor out = model.predict(x, {.verbose = 0});
  ASSERT_EQ(out.size(), 10);
  EXPECT_EQ(out.argmax(-1)[0], ref.argmax) << c.file << " " << kind;
  for (int k = 0; k < 10; ++k)
    EXPECT_NEAR(out[k], ref.values[size_t(k)], 1e-5 + 5e-6 * std::fabs(ref.values[size_t(k)]))
        << c.file << " " << kind << " output " << k;
}

// Loads nothing itself: checks a ready model against the manifest (accuracy and references).
void check_against_manifest(Sequential& model, const FixtureCase& c) {
  KERASCPP_REQUIRE_MNIST(mnist);
  const auto& data = mnist_test(mnist);
  const Tensor x = data.x.reshape(c.input.with_batch(data.x.shape()[0]));
  const Tensor out = model.predict(x, {.batch_size = 256, .verbose = 0});
  EXPECT_EQ(count_correct(out, data.y), c.correct)
      << c.file << ": MNIST test accuracy differs from the manifest's measured "
      << c.correct / 100.0 << "%";
  expect_reference(model, c, "zeros", c.zeros);
  expect_reference(model, c, "ramp", c.ramp);
}

void check_full_model_file(const FixtureCase& c) {
  KERASCPP_REQUIRE_KERAS_FIXTURES(dir);
  Sequential model = models::load_model(dir / c.file);
  EXPECT_TRUE(model.compiled() || c.file == kCnn23.file) << "compile settings were not restored";
  check_against_manifest(model, c);
}

}  // namespace

TEST(KerasFixtures, MlpDropoutKeras310) {
  check_full_model_file(kMlpDropout);
}
TEST(KerasFixtures, MlpLegacyH5Keras212) {
  check_full_model_file(kMlp);
}
TEST(KerasFixtures, CnnDropoutKeras314) {
  check_full_model_file(kCnnDropout);
}
TEST(KerasFixtures, ConvnetLegacyH5Keras31) {
  check_full_model_file(kConvnet);
}
TEST(KerasFixtures, CnnLegacyH5Keras231NoInputLayer) {
  check_full_model_file(kCnn23);
}

TEST(KerasFixtures, LogitsWeightsOnlyKeras311IntoCppModel) {
  KERASCPP_REQUIRE_KERAS_FIXTURES(dir);
  using namespace layers;
  // The repository's model.ipynb: Input(784) -> 256 relu -> 128 relu -> 64 relu -> 10 logits.
  Sequential model{Input({784}), Dense(256, "relu", {.name = "L0"}),
                   Dense(128, "relu", {.name = "L1"}), Dense(64, "relu", {.name = "L2"}),
                   Dense(10, "linear", {.name = "OL"})};
  model.load_weights(dir / kLogits.file);
  check_against_manifest(model, kLogits);
}

TEST(KerasFixtures, CnnWeightsOnlyLegacyKeras215IntoModelFromConfig) {
  KERASCPP_REQUIRE_KERAS_FIXTURES(dir);
  // generate_model_keras.py of sadidsatya/conv2d, as a Keras config.
  const char* config = R"({"class_name": "Sequential", "config": {"name": "sequential", "layers": [
    {"class_name": "InputLayer", "config": {"batch_shape": [null, 28, 28, 1], "name": "input_layer"}},
    {"class_name": "Conv2D", "config": {"name": "conv2d", "filters": 32, "kernel_size": [3, 3], "activation": "relu"}},
    {"class_name": "MaxPooling2D", "config": {"name": "max_pooling2d", "pool_size": [2, 2]}},
    {"class_name": "Conv2D", "config": {"name": "conv2d_1", "filters": 64, "kernel_size": [3, 3], "activation": "relu"}},
    {"class_name": "MaxPooling2D", "config": {"name": "max_pooling2d_1", "pool_size": [2, 2]}},
    {"class_name": "Flatten", "config": {"name": "flatten"}},
    {"class_name": "Dense", "config": {"name": "dense", "units": 128, "activation": "relu"}},
    {"class_name": "Dropout", "config": {"name": "dropout", "rate": 0.5}},
    {"class_name": "Dense", "config": {"name": "dense_1", "units": 10, "activation": "softmax"}}]}})";
  Sequential model = models::model_from_json(config);
  model.load_weights(dir / kCnnWeights.file);
  check_against_manifest(model, kCnnWeights);
}

TEST(KerasFixtures, WeightsOnlyFilesAskForLoadWeights) {
  KERASCPP_REQUIRE_KERAS_FIXTURES(dir);
  for (const auto& f : {kLogits.file, kCnnWeights.file}) {
    try {
      models::load_model(dir / f);
      FAIL() << f << " should not load as a whole model";
    } catch (const ValueError& e) {
      EXPECT_NE(std::string(e.what()).find("load_weights"), std::string::npos) << e.what();
    }
  }
}

TEST(KerasFixtures, OptimizerStateRestoredFromKeras3AndTfKeras212) {
  KERASCPP_REQUIRE_KERAS_FIXTURES(dir);
  // Keras 3.10: iteration, learning_rate, then m/v per weight; tf.keras 2.12: iteration, m/v.
  for (const auto& f : {kMlpDropout.file, kMlp.file}) {
    Sequential model = models::load_model(dir / f);
    ASSERT_TRUE(model.compiled()) << f;
    EXPECT_TRUE(model.optimizer().built()) << f;
    EXPECT_GT(model.optimizer().iterations(), 0) << f;
    EXPECT_NEAR(model.optimizer().learning_rate(), 0.001f, 1e-9) << f;
    EXPECT_EQ(model.metric_names(), std::vector<std::string>{"accuracy"}) << f;
    EXPECT_EQ(model.loss().name(), "sparse_categorical_crossentropy") << f;
  }
}
