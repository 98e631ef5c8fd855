// Every loss against finite differences (plain and fused-with-softmax gradients), Keras's
// clipping, and the name registry.
#include <gtest/gtest.h>

#include <cmath>
#include <keras/keras.hpp>

using namespace keras;

namespace {

struct LossCase {
  std::string name;
  losses::LossPtr loss;
  bool sparse;
  bool probabilities;  // y_pred must be a probability distribution
  friend void PrintTo(const LossCase& c, std::ostream* os) { *os << c.name; }
};

std::vector<float> predictions(int64_t B, int64_t C, bool probabilities, uint64_t seed) {
  random::Generator g(seed);
  std::vector<float> y(static_cast<size_t>(B * C));
  for (float& v : y) v = g.uniform(-2.0f, 2.0f);
  if (probabilities) kernels::activation_forward(y.data(), B, C, kernels::Activation::softmax);
  return y;
}

std::vector<float> targets(int64_t B, int64_t C, bool sparse, uint64_t seed) {
  random::Generator g(seed);
  if (sparse) {
    std::vector<float> t(static_cast<size_t>(B));
    for (float& v : t) v = float(g.below(uint64_t(C)));
    return t;
  }
  std::vector<float> t(static_cast<size_t>(B * C));
  for (float& v : t) v = g.uniform();
  return t;
}

class LossGradientTest : public ::testing::TestWithParam<LossCase> {};

}  // namespace

TEST_P(LossGradientTest, GradientMatchesFiniteDifferences) {
  const auto& c = GetParam();
  const int64_t B = 4, C = 5;
  auto y = predictions(B, C, c.probabilities, 11);
  const auto t = targets(B, C, c.sparse, 12);
  std::vector<float> g(y.size());
  c.loss->gradient(y.data(), t.data(), g.data(), B, C);
  for (size_t i = 0; i < y.size(); ++i) {
    // Step relative to the value: cross-entropy curves sharply for small probabilities.
    const float orig = y[i], h = std::max(1e-4f, 1e-2f * std::fabs(orig));
    y[i] = orig + h;
    const double up = c.loss->call(y.data(), t.data(), B, C);
    y[i] = orig - h;
    const double down = c.loss->call(y.data(), t.data(), B, C);
    y[i] = orig;
    const double numeric = (up - down) / (2 * h);
    EXPECT_NEAR(g[i], numeric, 2e-3 * std::max(1.0, std::fabs(numeric)))
        << c.name << " element " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(
    All, LossGradientTest,
    ::testing::Values(
        LossCase{"sparse_categorical_crossentropy", losses::get("sparse_categorical_crossentropy"),
                 true, true},
        LossCase{"sparse_from_logits",
                 losses::SparseCategoricalCrossentropy{.from_logits = true}.make(), true, false},
        LossCase{"categorical_crossentropy", losses::get("categorical_crossentropy"), false, true},
        LossCase{"categorical_from_logits",
                 losses::CategoricalCrossentropy{.from_logits = true}.make(), false, false},
        LossCase{"mean_squared_error", losses::get("mean_squared_error"), false, false}),
    [](const ::testing::TestParamInfo<LossCase>& param_info) { return param_info.param.name; });

// The fused softmax + cross-entropy gradient (d/d softmax input) of the probability losses.
class FusedSoftmaxGradientTest : public ::testing::TestWithParam<LossCase> {};

TEST_P(FusedSoftmaxGradientTest, MatchesFiniteDifferences) {
  const auto& c = GetParam();
  const int64_t B = 3, C = 4;
  auto z = predictions(B, C, false, 21);
  const auto t = targets(B, C, c.sparse, 22);
  auto loss_of_logits = [&](const std::vector<float>& logits) {
    auto p = logits;
    kernels::activation_forward(p.data(), B, C, kernels::Activation::softmax);
    return c.loss->call(p.data(), t.data(), B, C);
  };
  auto p = z;
  kernels::activation_forward(p.data(), B, C, kernels::Activation::softmax);
  std::vector<float> dz(z.size());
  ASSERT_TRUE(c.loss->softmax_gradient(p.data(), t.data(), dz.data(), B, C));
  for (size_t i = 0; i < z.size(); ++i) {
    const float orig = z[i], h = 1e-3f;
    z[i] = orig + h;
    const double up = loss_of_logits(z);
    z[i] = orig - h;
    const double down = loss_of_logits(z);
    z[i] = orig;
    const double numeric = (up - down) / (2 * h);
    EXPECT_NEAR(dz[i], numeric, 2e-3 * std::max(1.0, std::fabs(numeric)))
        << c.name << " element " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Crossentropy, FusedSoftmaxGradientTest,
    ::testing::Values(LossCase{"sparse_categorical_crossentropy",
                               losses::get("sparse_categorical_crossentropy"), true, true},
                      LossCase{"categorical_crossentropy", losses::get("categorical_crossentropy"),
                               false, true}),
    [](const ::testing::TestParamInfo<LossCase>& param_info) { return param_info.param.name; });

TEST(Losses, LogitLossesAndMseHaveNoSoftmaxFusion) {
  std::vector<float> p{0.5f, 0.5f}, t{1.0f}, dz(2);
  EXPECT_FALSE(losses::SparseCategoricalCrossentropy{.from_logits = true}.make()->softmax_gradient(
      p.data(), t.data(), dz.data(), 1, 2));
  EXPECT_FALSE(losses::get("mse")->softmax_gradient(p.data(), t.data(), dz.data(), 1, 2));
}

TEST(Losses, KerasClipsProbabilitiesAtEpsilon) {
  // p[label] = 0 would be -log(0) = inf; Keras clips to 1e-7, so the loss is -log(1e-7).
  std::vector<float> p{1.0f, 0.0f}, label{1.0f};
  auto loss = losses::get("sparse_categorical_crossentropy");
  EXPECT_NEAR(loss->call(p.data(), label.data(), 1, 2), -std::log(1e-7), 1e-3);
  // A clipped probability has zero gradient (the fused path falls back to the exact rule).
  std::vector<float> dz(2);
  ASSERT_TRUE(loss->softmax_gradient(p.data(), label.data(), dz.data(), 1, 2));
  EXPECT_FLOAT_EQ(dz[0], 0.0f);
  EXPECT_FLOAT_EQ(dz[1], 0.0f);
}

TEST(Losses, PartialBatchIsAveragedOverItsOwnSize) {
  std::vector<float> p{0.5f, 0.5f, 0.5f, 0.5f}, labels{0.0f, 1.0f};
  EXPECT_NEAR(losses::get("sparse_categorical_crossentropy")->call(p.data(), labels.data(), 2, 2),
              std::log(2.0), 1e-6);
}

TEST(Losses, UnknownNameListsTheValidOnes) {
  try {
    losses::get("crossentropy");
    FAIL();
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("sparse_categorical_crossentropy"), std::string::npos);
  }
  EXPECT_THROW(optimizers::get("adamw"), ValueError);
  EXPECT_THROW(metrics::get("precision"), ValueError);
  EXPECT_THROW(activations::get("gelu"), ValueError);
}
