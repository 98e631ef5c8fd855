// fit's scan for NaN and infinity (vectorised in issue 8) still finds every bad value, wherever it
// falls in a block, and names the sample.
#include <gtest/gtest.h>

#include <cmath>
#include <keras/keras.hpp>
#include <limits>

namespace {

TEST(FitInputChecks, FindsNaNAndInfinityAnywhere) {
  using namespace keras::layers;
  keras::Sequential model{Dense(3, "softmax", {.input_shape = keras::Shape{7}})};
  model.compile("adam", "sparse_categorical_crossentropy");
  const int64_t n = 1300;  // 9100 values: two full 4096-value blocks and a partial one
  keras::Tensor y(keras::Shape{n});
  for (int64_t bad : {int64_t{0}, int64_t{4095}, int64_t{4096}, int64_t{9099}})
    for (float value :
         {std::numeric_limits<float>::quiet_NaN(), -std::numeric_limits<float>::infinity()}) {
      keras::Tensor x(keras::Shape{n, 7}, 0.5f);
      x[bad] = value;
      try {
        model.fit(x, y, {.epochs = 0, .verbose = 0});
        FAIL() << "no error for a bad value at " << bad;
      } catch (const keras::ValueError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find(std::isnan(value) ? "NaN" : "infinity"), std::string::npos) << what;
        EXPECT_NE(what.find("sample " + std::to_string(bad / 7)), std::string::npos) << what;
      }
    }
  keras::Tensor ok(keras::Shape{n, 7}, std::numeric_limits<float>::max());  // large but finite
  EXPECT_NO_THROW(model.fit(ok, y, {.epochs = 0, .verbose = 0}));
}

}  // namespace
