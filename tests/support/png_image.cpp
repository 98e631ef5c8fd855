#include "support/png_image.hpp"

#include <png.h>

#include <stdexcept>
#include <string>

namespace keras::testing {

RgbImage read_png(const std::filesystem::path& path) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&image, path.c_str()))
    throw std::runtime_error("read_png: " + path.string() + ": " + image.message);
  image.format = PNG_FORMAT_RGB;
  RgbImage out;
  out.width = static_cast<int>(image.width);
  out.height = static_cast<int>(image.height);
  out.rgb.resize(PNG_IMAGE_SIZE(image));
  const png_color white{255, 255, 255};
  if (!png_image_finish_read(&image, &white, out.rgb.data(), 0, nullptr)) {
    png_image_free(&image);
    throw std::runtime_error("read_png: " + path.string() + ": " + image.message);
  }
  return out;
}

}  // namespace keras::testing
