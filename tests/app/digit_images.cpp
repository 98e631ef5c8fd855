// Writes PNG digits for the `kerascpp predict` test, each named "<label>_<what>.png":
// the drawn 0, 1 and 7 of tests/support/digit_drawing.hpp in several sizes and colour types
// (gray, RGB, RGBA with transparency; dark on light and light on dark), and, when MNIST is
// given, the first 100 test digits enlarged 3x and inverted to black on white.
//
//   app_digit_images OUT_DIR [MNIST_DIR]
#include <png.h>

#include <filesystem>
#include <iostream>
#include <keras/keras.hpp>

#include "support/digit_drawing.hpp"

namespace {

void write(const std::filesystem::path& path, const std::vector<uint8_t>& pixels, int size,
           png_uint_32 format) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = image.height = static_cast<png_uint_32>(size);
  image.format = format;
  if (!png_image_write_to_file(&image, path.c_str(), 0, pixels.data(), 0, nullptr))
    throw keras::IOError("cannot write " + path.string() + ": " + image.message);
}

uint8_t byte(float v) {
  return static_cast<uint8_t>(std::lround(std::clamp(v, 0.0f, 1.0f) * 255));
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc < 2) {
    std::cerr << "usage: app_digit_images OUT_DIR [MNIST_DIR]\n";
    return 2;
  }
  const std::filesystem::path out = argv[1];
  std::filesystem::create_directories(out);
  using keras::testing::draw_digit;
  for (int d : {0, 1, 7}) {
    const std::string label = std::to_string(d);
    keras::app::write_png(out / (label + "_black_on_white_280.png"), draw_digit(d, 280));
    keras::app::write_png(out / (label + "_white_on_black_600.png"),
                          draw_digit(d, 600, 1.0f, 0.0f));
    // Dark blue ink on yellow paper, RGB.
    const auto mask = draw_digit(d, 150, 1.0f, 0.0f);
    std::vector<uint8_t> rgb;
    for (float m : mask.pixels)
      rgb.insert(rgb.end(), {byte(1 - 0.9f * m), byte(0.95f - 0.75f * m), byte(0.3f + 0.2f * m)});
    write(out / (label + "_blue_on_yellow_150.png"), rgb, 150, PNG_FORMAT_RGB);
    // Black ink on a transparent background, RGBA, small.
    std::vector<uint8_t> rgba;
    for (float m : draw_digit(d, 90, 1.0f, 0.0f).pixels)
      rgba.insert(rgba.end(), {0, 0, 0, byte(m)});
    write(out / (label + "_transparent_90.png"), rgba, 90, PNG_FORMAT_RGBA);
  }
  if (argc > 2) {
    const auto data = keras::datasets::mnist::load_data(std::filesystem::path(argv[2]));
    for (int i = 0; i < 100; ++i) {
      keras::app::GrayImage big{84, 84, std::vector<float>(84 * 84)};
      for (int y = 0; y < 84; ++y)
        for (int x = 0; x < 84; ++x)
          big.pixels[size_t(y) * 84 + x] =
              1.0f - data.x_test[int64_t(i) * 784 + (y / 3) * 28 + x / 3] / 255.0f;
      keras::app::write_png(
          out / (std::to_string(data.y_test[i]) + "_mnist" + std::to_string(i) + ".png"), big);
    }
  }
  return 0;
} catch (const std::exception& e) {
  std::cerr << "app_digit_images: " << e.what() << "\n";
  return 1;
}
