// One parametrised gradient check over every layer and activation (see support/gradient_check).
// Other test files add their layers with INSTANTIATE_TEST_SUITE_P(..., LayerGradientTest, ...).
#include "support/gradient_check.hpp"

using namespace keras;
using keras::testing::LayerCase;
using keras::testing::LayerGradientTest;

TEST_P(LayerGradientTest, MatchesFiniteDifferences) {
  const LayerCase& c = GetParam();
  auto layer = c.make();
  auto report = keras::testing::check_layer_gradients(*layer, c.input_shape, c.batch, c.training);
  EXPECT_GT(report.checked, 0);
  EXPECT_LE(report.max_error_input, 1.0) << c.name << ": input gradient off";
  EXPECT_LE(report.max_error_params, 1.0) << c.name << ": parameter gradient off";
}

namespace {
LayerCase dense(const std::string& act) {
  return {"Dense_" + act, [act] { return std::make_shared<layers::Dense>(7, act); }, Shape{5}, 3,
          true};
}
}  // namespace

INSTANTIATE_TEST_SUITE_P(
    Core, LayerGradientTest,
    ::testing::Values(
        dense("linear"), dense("relu"), dense("sigmoid"), dense("tanh"), dense("softmax"),
        LayerCase{"Dense_no_bias",
                  [] {
                    return std::make_shared<layers::Dense>(4, "tanh",
                                                           layers::DenseOptions{.use_bias = false});
                  },
                  Shape{6}, 2, true},
        LayerCase{"Dropout_training", [] { return std::make_shared<layers::Dropout>(0.3); },
                  Shape{4, 5}, 3, true},
        LayerCase{"Dropout_inference", [] { return std::make_shared<layers::Dropout>(0.3); },
                  Shape{9}, 2, false},
        LayerCase{"Flatten", [] { return std::make_shared<layers::Flatten>(); }, Shape{3, 4}, 2,
                  true}),
    keras::testing::case_name);
