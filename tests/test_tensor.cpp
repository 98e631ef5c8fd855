// NDArray: shapes, astype, scalar arithmetic, slicing, argmax and numpy-style printing.
#include <gtest/gtest.h>

#include <keras/keras.hpp>
#include <sstream>

using keras::ByteArray;
using keras::NDArray;
using keras::Shape;
using keras::Tensor;

TEST(Shape, PrintsLikePythonTuples) {
  EXPECT_EQ(Shape({60000, 28, 28}).str(), "(60000, 28, 28)");
  EXPECT_EQ(Shape({60000}).str(), "(60000,)");
  EXPECT_EQ(Shape({-1, 784}).str(), "(None, 784)");
  EXPECT_EQ(Shape({-1, 10}).keras_str(), "(None, 10)");
  EXPECT_EQ(Shape({}).str(), "()");
}

TEST(NDArray, AstypeAndDivideKeepFloat32) {
  ByteArray x(Shape{2, 2}, std::vector<uint8_t>{0, 51, 255, 128});
  Tensor f = x.astype<float>() / 255.0f;
  EXPECT_EQ(f.dtype(), "float32");
  EXPECT_EQ(f.shape(), Shape({2, 2}));
  EXPECT_FLOAT_EQ(f[1], 0.2f);
  EXPECT_FLOAT_EQ(f[2], 1.0f);
  EXPECT_EQ(x[1], 51);  // the source is untouched
  EXPECT_EQ(reinterpret_cast<uintptr_t>(f.data()) % 64, 0u);
}

TEST(NDArray, SliceIsAViewOfTheFirstAxis) {
  Tensor x(Shape{10, 3});
  for (int64_t i = 0; i < x.size(); ++i) x[i] = float(i);
  Tensor head = x.head(5);
  EXPECT_EQ(head.shape(), Shape({5, 3}));
  Tensor mid = x.slice(2, 4);
  EXPECT_EQ(mid.shape(), Shape({2, 3}));
  EXPECT_FLOAT_EQ(mid[0], 6.0f);
  mid[0] = -1.0f;
  EXPECT_FLOAT_EQ(x[6], -1.0f);                        // shares storage, as numpy
  EXPECT_EQ(x.slice(-3, 100).shape(), Shape({3, 3}));  // Python-style clamping
  EXPECT_EQ(x.slice(8, 2).shape(), Shape({0, 3}));
}

TEST(NDArray, ArgmaxFollowsNumpy) {
  Tensor p(Shape{2, 3}, std::vector<float>{0.1f, 0.7f, 0.2f, 0.5f, 0.5f, 0.0f});
  auto a = p.argmax(1);
  EXPECT_EQ(a.shape(), Shape({2}));
  EXPECT_EQ(a[0], 1);
  EXPECT_EQ(a[1], 0);  // first index on ties
  auto b = p.argmax(0);
  EXPECT_EQ(b.shape(), Shape({3}));
  EXPECT_EQ(b[0], 1);
  EXPECT_THROW(p.argmax(2), keras::ValueError);
}

TEST(NDArray, PrintsLikeNumpy) {
  NDArray<int64_t> labels(Shape{5}, std::vector<int64_t>{7, 2, 1, 0, 4});
  std::ostringstream os;
  os << labels;
  EXPECT_EQ(os.str(), "[7 2 1 0 4]");
  NDArray<int64_t> wide(Shape{3}, std::vector<int64_t>{7, 12, 1});
  EXPECT_EQ(wide.str(), "[ 7 12  1]");
  ByteArray m(Shape{2, 2}, std::vector<uint8_t>{1, 2, 3, 4});
  EXPECT_EQ(m.str(), "[[1 2]\n [3 4]]");
  Tensor f(Shape{3}, std::vector<float>{0.5f, 0.25f, 1.0f});
  EXPECT_EQ(f.str(), "[0.5  0.25 1.  ]");
  Tensor whole(Shape{2}, std::vector<float>{1.0f, 2.0f});
  EXPECT_EQ(whole.str(), "[1. 2.]");
  NDArray<int64_t> big(Shape{2000});
  EXPECT_EQ(big.str(), "[0 0 0 ... 0 0 0]");
}

TEST(NDArray, ReshapeAndErrors) {
  Tensor x(Shape{4, 6});
  EXPECT_EQ(x.reshape(Shape{-1, 3}).shape(), Shape({8, 3}));
  EXPECT_THROW(x.reshape(Shape{5, 5}), keras::ValueError);
  EXPECT_THROW(x.at({4, 0}), keras::ValueError);
  EXPECT_THROW(Tensor(Shape{2}, std::vector<float>{1, 2, 3}), keras::ValueError);
}
