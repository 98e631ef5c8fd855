// The one numerical gradient checker every layer, activation and loss must pass.
//
// For a layer: L = sum(r * layer(x)) with a fixed random r; the analytic dL/dx and dL/dparams
// from backward() are compared with central differences of forward(). Layers with random
// training behaviour (Dropout) are re-seeded before every forward pass, so the mask is fixed.
//
// Add a layer to the parametrised suite from any test file:
//   INSTANTIATE_TEST_SUITE_P(Conv, LayerGradientTest, ::testing::Values(LayerCase{...}),
//   case_name);
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <keras/keras.hpp>
#include <memory>
#include <string>
#include <vector>

namespace keras::testing {

struct GradientReport {
  double max_error_input = 0;   ///< worst |analytic - numeric| / (atol + rtol * |numeric|)
  double max_error_params = 0;  ///< same for the parameters; <= 1 passes
  int64_t checked = 0;
};

/// Checks one layer at one input shape. Returns the worst normalised errors (<= 1 passes).
GradientReport check_layer_gradients(layers::Layer& layer, const Shape& input_shape, int64_t batch,
                                     bool training, uint64_t seed = 1, double atol = 2e-3,
                                     double rtol = 2e-2);

struct LayerCase {
  std::string name;
  std::function<layers::LayerPtr()> make;
  Shape input_shape;  ///< without batch
  int64_t batch = 3;
  bool training = true;
  friend void PrintTo(const LayerCase& c, std::ostream* os) { *os << c.name; }
};

class LayerGradientTest : public ::testing::TestWithParam<LayerCase> {};

inline std::string case_name(const ::testing::TestParamInfo<LayerCase>& info) {
  return info.param.name;
}

}  // namespace keras::testing
