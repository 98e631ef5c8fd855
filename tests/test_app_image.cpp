// The kerascpp tool's digit images: PNG decoding of every colour type, and the MNIST
// preprocessing (invert, crop, 20 px box, centre of mass) checked on drawn digits and on MNIST.
#include <gtest/gtest.h>
#include <png.h>

#include <keras/keras.hpp>
#include <numeric>

#include "digit_image.hpp"
#include "support/digit_drawing.hpp"
#include "support/test_support.hpp"

using keras::app::decode_png;
using keras::app::encode_png;
using keras::app::GrayImage;
using keras::app::MnistPixels;
using keras::app::preprocess_mnist;

namespace {

// Encodes 8-bit pixels of `format` (PNG_FORMAT_RGB, _RGBA, _GA ...) to a PNG.
std::vector<uint8_t> png_of(const std::vector<uint8_t>& pixels, int w, int h, png_uint_32 format) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = w;
  image.height = h;
  image.format = format;
  png_alloc_size_t size = 0;
  EXPECT_TRUE(png_image_write_get_memory_size(image, size, 0, pixels.data(), 0, nullptr));
  std::vector<uint8_t> out(size);
  EXPECT_TRUE(png_image_write_to_memory(&image, out.data(), &size, 0, pixels.data(), 0, nullptr));
  out.resize(size);
  return out;
}

struct Stats {
  double mass = 0, cx = 0, cy = 0;
  int x0 = 28, y0 = 28, x1 = -1, y1 = -1;
};
Stats stats(const MnistPixels& p) {
  Stats s;
  for (int y = 0; y < 28; ++y)
    for (int x = 0; x < 28; ++x) {
      const double v = p[size_t(y) * 28 + x];
      if (v <= 0) continue;
      s.mass += v, s.cx += v * (x + 0.5), s.cy += v * (y + 0.5);
      s.x0 = std::min(s.x0, x), s.x1 = std::max(s.x1, x), s.y0 = std::min(s.y0, y),
      s.y1 = std::max(s.y1, y);
    }
  s.cx /= s.mass, s.cy /= s.mass;
  return s;
}

double mean_abs_diff(const MnistPixels& a, const MnistPixels& b) {
  double d = 0;
  for (size_t i = 0; i < a.size(); ++i) d += std::abs(a[i] - b[i]);
  return d / double(a.size());
}

}  // namespace

TEST(AppImage, PngRoundTripKeepsGrayLevels) {
  GrayImage img{3, 2, {0.0f, 0.5f, 1.0f, 0.25f, 0.75f, 0.1f}};
  const GrayImage back = decode_png(encode_png(img));
  ASSERT_EQ(back.width, 3);
  ASSERT_EQ(back.height, 2);
  for (size_t i = 0; i < img.pixels.size(); ++i)
    EXPECT_NEAR(back.pixels[i], img.pixels[i], 0.51 / 255);
}

TEST(AppImage, DecodesColourAndAlphaAsLuminanceOverWhite) {
  // Pure red, green, blue, and a half-transparent black pixel.
  const std::vector<uint8_t> rgba{255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 0, 0, 0, 128};
  const GrayImage img = decode_png(png_of(rgba, 4, 1, PNG_FORMAT_RGBA));
  EXPECT_NEAR(img.pixels[0], 0.299f, 0.01f);
  EXPECT_NEAR(img.pixels[1], 0.587f, 0.01f);
  EXPECT_NEAR(img.pixels[2], 0.114f, 0.01f);
  EXPECT_NEAR(img.pixels[3], 1.0f - 128 / 255.0f, 0.01f);
}

TEST(AppImage, RejectsDataThatIsNoPngAndHugeImages) {
  const std::vector<uint8_t> junk{'G', 'I', 'F', '8', '9', 'a', 0, 0};
  EXPECT_THROW(decode_png(junk), keras::IOError);
  EXPECT_THROW(decode_png({}), keras::IOError);
  auto png = encode_png(GrayImage{4, 4, std::vector<float>(16, 1.0f)});
  png.resize(png.size() / 2);  // truncated
  EXPECT_THROW(decode_png(png), keras::IOError);
  const auto wide = encode_png(GrayImage{300, 1, std::vector<float>(300, 1.0f)});
  try {
    decode_png(wide, "wide.png", 256);
    FAIL() << "a 300 px wide image passed a 256 px limit";
  } catch (const keras::IOError& e) {
    EXPECT_NE(std::string(e.what()).find("at most 256x256"), std::string::npos) << e.what();
  }
}

TEST(AppImage, DigitLandsInA20PxBoxCentredByMass) {
  for (int d : {0, 1, 7}) {
    const MnistPixels p = preprocess_mnist(keras::testing::draw_digit(d, 280));
    const Stats s = stats(p);
    EXPECT_EQ(std::max(s.x1 - s.x0, s.y1 - s.y0) + 1, 20) << "digit " << d;
    // MNIST's convention: the centre of mass in pixel (14, 14), i.e. in [14, 15).
    EXPECT_NEAR(s.cx, 14.5, 0.5) << "digit " << d;
    EXPECT_NEAR(s.cy, 14.5, 0.5) << "digit " << d;
    EXPECT_NEAR(*std::max_element(p.begin(), p.end()), 1.0f, 0.01f);
    EXPECT_GE(*std::min_element(p.begin(), p.end()), 0.0f);
  }
  // A "1" keeps its aspect ratio: tall and thin, not stretched to a square.
  const Stats one = stats(preprocess_mnist(keras::testing::draw_digit(1, 280)));
  EXPECT_LE(one.x1 - one.x0 + 1, 8);
}

TEST(AppImage, SameInputWhateverTheColoursAndSize) {
  const MnistPixels reference = preprocess_mnist(keras::testing::draw_digit(7, 280));
  // White on black, larger.
  EXPECT_LT(
      mean_abs_diff(preprocess_mnist(keras::testing::draw_digit(7, 600, 1.0f, 0.0f)), reference),
      0.02);
  // Dark grey on light grey paper, small.
  EXPECT_LT(
      mean_abs_diff(preprocess_mnist(keras::testing::draw_digit(7, 90, 0.2f, 0.85f)), reference),
      0.03);
  // Blue ink on transparent background (RGBA), as canvases export.
  const GrayImage gray = keras::testing::draw_digit(7, 280);
  std::vector<uint8_t> rgba;
  for (float v : gray.pixels) {
    const auto alpha = static_cast<uint8_t>(std::lround((1.0f - v) * 255));
    rgba.insert(rgba.end(), {20, 40, 200, alpha});
  }
  const MnistPixels from_rgba =
      preprocess_mnist(decode_png(png_of(rgba, 280, 280, PNG_FORMAT_RGBA)));
  EXPECT_LT(mean_abs_diff(from_rgba, reference), 0.03);
}

TEST(AppImage, BlankImagesHaveNoDigit) {
  EXPECT_THROW(preprocess_mnist(GrayImage{50, 50, std::vector<float>(2500, 1.0f)}),
               keras::ValueError);
  GrayImage faint{50, 50, std::vector<float>(2500, 0.5f)};
  faint.pixels[1275] = 0.45f;  // 5% darker: noise, not ink
  EXPECT_THROW(preprocess_mnist(faint), keras::ValueError);
  // A single dark dot is a (tiny) digit.
  GrayImage dot{50, 50, std::vector<float>(2500, 1.0f)};
  dot.pixels[1275] = 0.0f;
  const Stats s = stats(preprocess_mnist(dot));
  EXPECT_NEAR(s.cx, 14.5, 0.5);
}

TEST(AppImage, MnistDigitsComeBackAlmostUnchanged) {
  // MNIST digits were made by this recipe, so redoing it must change them little.
  KERASCPP_REQUIRE_MNIST(dir);
  const auto data = keras::datasets::mnist::load_data(dir);
  double total = 0;
  const int n = 200;
  for (int i = 0; i < n; ++i) {
    GrayImage img{28, 28, {}};
    for (int k = 0; k < 784; ++k) img.pixels.push_back(data.x_test[i * 784 + k] / 255.0f);
    MnistPixels original;
    std::copy(img.pixels.begin(), img.pixels.end(), original.begin());
    total += mean_abs_diff(preprocess_mnist(img), original);
  }
  EXPECT_LT(total / n, 0.01);
  std::cout << "mean |difference| per pixel after re-preprocessing " << n
            << " MNIST digits: " << total / n << "\n";
}
