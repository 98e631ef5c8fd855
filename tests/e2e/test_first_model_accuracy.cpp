// End to end on real MNIST: the tutorial's exact configuration reaches Keras's accuracy.
#include <gtest/gtest.h>

#include <keras/keras.hpp>

#include "support/test_support.hpp"

using namespace keras;
using namespace keras::layers;

TEST(FirstModel, ReachesKerasAccuracyAfterFiveEpochs) {
  KERASCPP_REQUIRE_MNIST(dir);
  utils::set_random_seed(1);
  auto [x_train_raw, y_train, x_test_raw, y_test] = datasets::mnist::load_data(dir);
  auto x_train = x_train_raw.astype<float>() / 255.0f;
  auto x_test = x_test_raw.astype<float>() / 255.0f;
  Sequential model{Flatten({28, 28}), Dense(128, "relu"), Dropout(0.2), Dense(10, "softmax")};
  model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  auto history = model.fit(x_train, y_train,
                           {.epochs = 5, .batch_size = 32, .validation_split = 0.1, .verbose = 0});

  // keras-behavior.md §8: epoch 1 accuracy ~0.91-0.92, val ~0.955-0.965; after 5: test 0.975-0.980.
  EXPECT_GT(history.history["accuracy"][0], 0.89);
  EXPECT_GT(history.history["val_accuracy"][0], 0.94);
  EXPECT_GT(history.history["accuracy"][4], 0.97);
  auto scores = model.evaluate(x_test, y_test, {.verbose = 0});
  EXPECT_GE(scores[1], 0.97) << "test accuracy";
  EXPECT_LT(scores[0], 0.1) << "test loss";
  auto predicted = model.predict(x_test.head(5), {.verbose = 0}).argmax(1);
  EXPECT_EQ(predicted.str(), "[7 2 1 0 4]");
}
