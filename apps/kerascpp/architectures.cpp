#include "architectures.hpp"

#include <algorithm>

#include "keras/core/error.hpp"
#include "keras/layers/dense.hpp"
#include "keras/layers/dropout.hpp"
#include "keras/layers/flatten.hpp"
#include "keras/layers/input_layer.hpp"
// The convnet's layers come with the convolution feature; without it, --model convnet says so.
#if __has_include("keras/layers/conv2d.hpp") && __has_include("keras/layers/pooling2d.hpp")
#include "keras/layers/conv2d.hpp"
#include "keras/layers/pooling2d.hpp"
#define KERASCPP_APP_HAS_CONVNET 1
#endif

namespace keras::app {

const std::vector<Architecture>& architectures() {
  static const std::vector<Architecture> list{
      {"mlp", "the first-model tutorial: Flatten, Dense(128, relu), Dropout(0.2), Dense(10)", 5,
       32},
      {"convnet",
       "keras.io's Simple MNIST convnet: 2 x (Conv2D, MaxPooling2D), Dropout(0.5), Dense(10)", 15,
       128},
  };
  return list;
}

const Architecture& architecture(std::string_view name) {
  const auto& list = architectures();
  auto it = std::find_if(list.begin(), list.end(), [&](const auto& a) { return a.name == name; });
  if (it == list.end())
    throw ValueError("unknown model architecture '" + std::string(name) +
                     "'; choose mlp or convnet");
  return *it;
}

namespace {

Sequential mlp() {
  using namespace keras::layers;
  return Sequential{Flatten({28, 28}), Dense(128, "relu"), Dropout(0.2), Dense(10, "softmax")};
}

Sequential convnet() {
#ifdef KERASCPP_APP_HAS_CONVNET
  using namespace keras::layers;
  return Sequential{Input({28, 28, 1}),   Conv2D(32, {3, 3}, "relu"),
                    MaxPooling2D({2, 2}), Conv2D(64, {3, 3}, "relu"),
                    MaxPooling2D({2, 2}), Flatten(),
                    Dropout(0.5),         Dense(10, "softmax")};
#else
  throw NotImplementedError(
      "--model convnet is not available yet: this build of kerascpp has no Conv2D and "
      "MaxPooling2D layers; train the tutorial's MLP with --model mlp");
#endif
}

}  // namespace

Sequential build_model(std::string_view name) {
  Sequential model = architecture(name).name == "mlp" ? mlp() : convnet();
  // Class indices as labels (sparse), so both models train on MNIST's labels as loaded.
  model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  return model;
}

}  // namespace keras::app
