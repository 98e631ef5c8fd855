// Sequential: Keras's fit semantics, determinism, threads, and one test per kind of bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <keras/keras.hpp>

#include "support/gradient_check.hpp"
#include "support/test_support.hpp"

using keras::testing::error_of;
using namespace keras;
using namespace keras::layers;

namespace {

// A small separable problem: class = index of the largest of the first 3 features.
struct Toy {
  Tensor x;
  ByteArray y;
};
Toy toy(int64_t n, uint64_t seed = 5) {
  random::Generator g(seed);
  Toy t{Tensor(Shape{n, 4, 2}), ByteArray(Shape{n})};
  for (int64_t i = 0; i < n; ++i) {
    int best = 0;
    for (int j = 0; j < 8; ++j) t.x[i * 8 + j] = g.uniform();
    for (int j = 1; j < 3; ++j)
      if (t.x[i * 8 + j] > t.x[i * 8 + best]) best = j;
    t.y[i] = uint8_t(best);
  }
  return t;
}

Sequential small_model() {
  Sequential m{Flatten({4, 2}), Dense(16, "relu"), Dropout(0.1), Dense(3, "softmax")};
  m.compile(optimizers::Adam{.learning_rate = 0.01f}, "sparse_categorical_crossentropy",
            {"accuracy"});
  return m;
}

class RecordingCallback : public callbacks::Callback {
 public:
  std::vector<std::string> events;
  int64_t steps_seen = 0;
  void on_train_begin(const callbacks::Logs&) override { events.push_back("train_begin"); }
  void on_epoch_begin(int e, const callbacks::Logs&) override {
    events.push_back("epoch_begin " + std::to_string(e));
  }
  void on_train_batch_end(int64_t, const callbacks::Logs&) override { ++steps_seen; }
  void on_epoch_end(int e, const callbacks::Logs& logs) override {
    std::string keys;
    for (const auto& [k, v] : logs) keys += k + ",";
    events.push_back("epoch_end " + std::to_string(e) + " " + keys);
  }
  void on_train_end(const callbacks::Logs&) override { events.push_back("train_end"); }
};

}  // namespace

TEST(Fit, LearnsAndReturnsKerasHistory) {
  utils::set_random_seed(3);
  auto data = toy(600);
  auto model = small_model();
  auto cb = std::make_shared<RecordingCallback>();
  auto history = model.fit(
      data.x, data.y,
      {.epochs = 8, .batch_size = 16, .validation_split = 0.25, .verbose = 0, .callbacks = {cb}});
  std::vector<std::string> keys;
  for (const auto& [k, v] : history.history) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"accuracy", "loss", "val_accuracy", "val_loss"}));
  for (const auto& [k, v] : history.history) EXPECT_EQ(v.size(), 8u) << k;
  EXPECT_EQ(history.epoch, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_LT(history.history["loss"].back(), history.history["loss"].front());
  EXPECT_GT(history.history["val_accuracy"].back(), 0.8);
  // 450 training rows in batches of 16: 29 steps, the last one partial (2 rows) and kept.
  EXPECT_EQ(cb->steps_seen, 8 * 29);
  EXPECT_EQ(cb->params().steps, 29);
  EXPECT_EQ(cb->events.front(), "train_begin");
  EXPECT_EQ(cb->events[2], "epoch_end 0 accuracy,loss,val_accuracy,val_loss,");
  EXPECT_EQ(cb->events.back(), "train_end");
}

TEST(Fit, ValidationIsTheLastRowsAndMatchesEvaluate) {
  utils::set_random_seed(4);
  auto data = toy(200);
  auto model = small_model();
  auto history = model.fit(data.x, data.y,
                           {.epochs = 1, .batch_size = 32, .validation_split = 0.1, .verbose = 0});
  // Dropout is off in evaluate, so the numbers are exact averages over rows [180, 200).
  auto scores = model.evaluate(data.x.slice(180, 200), data.y.slice(180, 200), {.verbose = 0});
  EXPECT_DOUBLE_EQ(history.history["val_loss"][0], scores[0]);
  EXPECT_DOUBLE_EQ(history.history["val_accuracy"][0], scores[1]);
}

TEST(Fit, SameSeedGivesBitIdenticalRuns) {
  auto run = [](uint64_t seed) {
    backend::clear_session();
    utils::set_random_seed(seed);
    auto data = toy(300, 9);
    auto model = small_model();
    model.fit(data.x, data.y,
              {.epochs = 2, .batch_size = 8, .validation_split = 0.2, .verbose = 0});
    auto w = model.get_weights();
    return std::vector<float>(w[0].begin(), w[0].end());
  };
  EXPECT_EQ(run(42), run(42));
  EXPECT_NE(run(42), run(43));
}

TEST(Fit, ExplicitValidationDataAndNoShuffle) {
  utils::set_random_seed(1);
  auto data = toy(120);
  auto val = toy(40, 77);
  auto model = small_model();
  auto h = model.fit(data.x, data.y,
                     {.epochs = 2,
                      .validation_data = std::pair{val.x, val.y.astype<float>()},
                      .shuffle = false,
                      .verbose = 0});
  EXPECT_EQ(h.history.count("val_loss"), 1u);
}

TEST(Inference, DropoutOnlyActsWhileTraining) {
  utils::set_random_seed(2);
  Sequential model{Input({6}), Dropout(0.5)};
  Tensor x(Shape{3, 6}, 1.0f);
  Tensor a = model.predict(x, {.verbose = 0});
  for (float v : a) EXPECT_EQ(v, 1.0f);
  const float* y = model.forward(x.data(), 3, true);
  int zeros = 0, twos = 0;
  for (int i = 0; i < 18; ++i) {
    zeros += y[i] == 0.0f;
    twos += y[i] == 2.0f;  // inverted dropout: kept values scaled by 1/(1-0.5)
  }
  EXPECT_EQ(zeros + twos, 18);
  EXPECT_GT(zeros, 0);
  EXPECT_GT(twos, 0);
}

TEST(Inference, PredictIsBatchedAndArgmaxWorks) {
  auto data = toy(70);
  auto model = small_model();
  Tensor p = model.predict(data.x, {.batch_size = 32, .verbose = 0});
  EXPECT_EQ(p.shape(), Shape({70, 3}));
  for (int64_t i = 0; i < 70; ++i) EXPECT_NEAR(p[i * 3] + p[i * 3 + 1] + p[i * 3 + 2], 1.0f, 1e-5f);
  Tensor one = model.predict(data.x.slice(69, 70), {.verbose = 0});
  for (int j = 0; j < 3; ++j) EXPECT_FLOAT_EQ(one[j], p[69 * 3 + j]);
  EXPECT_EQ(p.argmax(1).shape(), Shape({70}));
}

TEST(Compile, AcceptsStringsAndOptionObjects) {
  Sequential m{Input({3}), Dense(2, "softmax")};
  m.compile(optimizers::Adam{.learning_rate = 1e-2f}, losses::SparseCategoricalCrossentropy{},
            {"accuracy"});
  EXPECT_EQ(m.optimizer().class_name(), "Adam");
  EXPECT_FLOAT_EQ(m.optimizer().learning_rate(), 1e-2f);
  m.compile(optimizers::SGD{.learning_rate = 0.1f, .momentum = 0.9f, .nesterov = true}, "mse");
  EXPECT_EQ(m.optimizer().class_name(), "SGD");
  EXPECT_EQ(m.loss().name(), "mean_squared_error");
  EXPECT_NE(error_of([&] { m.compile("adamw", "mse"); }).find("Valid optimizers: adam, sgd"),
            std::string::npos);
}

TEST(SGD, MomentumAndNesterovFollowKeras) {
  auto sgd = optimizers::SGD{.learning_rate = 0.1f, .momentum = 0.9f}.make();
  sgd->build(1);
  float w = 1.0f, g = 0.5f;
  sgd->apply(&w, &g, 1);  // m = -0.05, w = 0.95
  EXPECT_FLOAT_EQ(w, 0.95f);
  sgd->apply(&w, &g, 1);  // m = 0.9*-0.05 - 0.05 = -0.095
  EXPECT_FLOAT_EQ(w, 0.855f);
  auto nesterov = optimizers::SGD{.learning_rate = 0.1f, .momentum = 0.9f, .nesterov = true}.make();
  nesterov->build(1);
  w = 1.0f;
  nesterov->apply(&w, &g, 1);  // m = -0.05; w += 0.9*m - 0.05 = -0.095
  EXPECT_FLOAT_EQ(w, 0.905f);
}

TEST(Threads, OneSettingControlsThePool) {
  config::set_num_threads(1);
  EXPECT_EQ(config::num_threads(), 1);
  EXPECT_EQ(backend::parallel_chunks(1000, 1), 1);
  config::set_num_threads(2);
  EXPECT_EQ(backend::parallel_chunks(1000, 1), 2);
  std::vector<int> hits(1000, 0);
  backend::parallel_for(1000, 10, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) ++hits[size_t(i)];
  });
  for (int h : hits) EXPECT_EQ(h, 1);
  setenv("KERASCPP_NUM_THREADS", "1", 1);
  config::set_num_threads(0);  // back to the default, which reads the variable
  EXPECT_EQ(config::num_threads(), 1);
  setenv("KERASCPP_NUM_THREADS", "lots", 1);
  EXPECT_THROW(config::set_num_threads(0), ValueError);
  unsetenv("KERASCPP_NUM_THREADS");
  config::set_num_threads(0);
  EXPECT_EQ(config::num_threads(), backend::available_cores());
}

// ---- one test per kind of bad input ---------------------------------------------------------

TEST(BadInput, XOfTheWrongShape) {
  auto model = small_model();
  Tensor x(Shape{10, 8});
  ByteArray y(Shape{10});
  const auto msg = error_of([&] { model.fit(x, y, {.verbose = 0}); });
  EXPECT_NE(msg.find("expects input of shape (None, 4, 2)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(10, 8)"), std::string::npos) << msg;
  EXPECT_NE(error_of([&] { model.predict(x); }).find("(None, 4, 2)"), std::string::npos);
}

TEST(BadInput, LabelsOutsideTheClasses) {
  auto model = small_model();
  Tensor x(Shape{4, 4, 2});
  ByteArray y(Shape{4}, std::vector<uint8_t>{0, 1, 2, 3});
  const auto msg = error_of([&] { model.fit(x, y, {.verbose = 0}); });
  EXPECT_NE(msg.find("label 3 at index 3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[0, 3)"), std::string::npos) << msg;
}

TEST(BadInput, MismatchedSampleCounts) {
  auto model = small_model();
  EXPECT_NE(error_of([&] {
              model.fit(Tensor(Shape{4, 4, 2}), ByteArray(Shape{5}), {.verbose = 0});
            }).find("same number of samples"),
            std::string::npos);
}

TEST(BadInput, EmptyArrays) {
  auto model = small_model();
  EXPECT_NE(error_of([&] {
              model.fit(Tensor(Shape{0, 4, 2}), ByteArray(Shape{0}), {.verbose = 0});
            }).find("empty"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              model.predict(Tensor(Shape{0, 4, 2}));
            }).find("empty"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              model.evaluate(Tensor(Shape{0, 4, 2}), ByteArray(Shape{0}));
            }).find("empty"),
            std::string::npos);
}

TEST(BadInput, BatchSizeZero) {
  auto model = small_model();
  auto data = toy(10);
  EXPECT_NE(error_of([&] {
              model.fit(data.x, data.y, {.batch_size = 0, .verbose = 0});
            }).find("batch_size must be a positive"),
            std::string::npos);
  EXPECT_NE(error_of([&] { model.predict(data.x, {.batch_size = 0}); }).find("batch_size"),
            std::string::npos);
}

TEST(BadInput, ValidationSplitOutsideZeroOne) {
  auto model = small_model();
  auto data = toy(10);
  for (double split : {-0.1, 1.0, 1.5, std::nan("")})
    EXPECT_NE(error_of([&] {
                model.fit(data.x, data.y, {.validation_split = split, .verbose = 0});
              }).find("validation_split"),
              std::string::npos)
        << split;
  // A split that leaves no validation row.
  EXPECT_NE(error_of([&] {
              model.fit(data.x, data.y, {.validation_split = 1e-17, .verbose = 0});
            }).find("no validation"),
            std::string::npos);
}

TEST(BadInput, NaNInTheInputs) {
  auto model = small_model();
  auto data = toy(10);
  data.x[17] = std::nanf("");
  const auto msg = error_of([&] { model.fit(data.x, data.y, {.verbose = 0}); });
  EXPECT_NE(msg.find("NaN"), std::string::npos) << msg;
  EXPECT_NE(msg.find("sample 2"), std::string::npos) << msg;
}

TEST(BadInput, UncompiledAndUnbuiltModels) {
  Sequential m{Flatten({4, 2}), Dense(3, "softmax")};
  auto data = toy(4);
  EXPECT_NE(error_of([&] { m.fit(data.x, data.y); }).find("compile()"), std::string::npos);
  Sequential unbuilt{Dense(3)};
  EXPECT_NE(error_of([&] {
              unbuilt.get_weights();
              (void)unbuilt.output_shape();
            }).find("not built"),
            std::string::npos);
  EXPECT_THROW(Dense(0), ValueError);
  EXPECT_THROW(Dropout(1.5), ValueError);
  EXPECT_NE(
      error_of([&] {
        Sequential({Input({3}), Dense(2, "relu", {.name = "x"}), Dense(2, "relu", {.name = "x"})});
      }).find("unique names"),
      std::string::npos);
}

TEST(BadInput, OneHotTargetsWithSparseLossAndViceVersa) {
  auto model = small_model();
  Tensor x(Shape{4, 4, 2});
  EXPECT_NE(error_of([&] {
              model.fit(x, Tensor(Shape{4, 3}), {.verbose = 0});
            }).find("categorical_crossentropy"),
            std::string::npos);
  model.compile("adam", "categorical_crossentropy", {"accuracy"});
  EXPECT_NE(error_of([&] {
              model.fit(x, ByteArray(Shape{4}), {.verbose = 0});
            }).find("sparse_categorical_crossentropy"),
            std::string::npos);
}

// The gradient checker itself must be able to fail.
namespace {
class WrongGradient : public Dense {
 public:
  WrongGradient() : Dense(3, "tanh") {}
  void backward(const float* x, const float* y, const float* dy, float* dx,
                int64_t batch) override {
    Dense::backward(x, y, dy, dx, batch);
    variables_[0].gradient[0] += 0.5f;  // a wrong kernel gradient
  }
};
}  // namespace

TEST(GradientChecker, CatchesAWrongGradient) {
  WrongGradient layer;
  auto report = keras::testing::check_layer_gradients(layer, Shape{4}, 2, true);
  EXPECT_GT(report.max_error_params, 1.0);
  EXPECT_LE(report.max_error_input, 1.0);
}
