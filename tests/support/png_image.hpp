// Test helper: decodes a PNG file (libpng) into 8-bit RGB pixels, to look at what was drawn.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <vector>

namespace keras::testing {

struct RgbImage {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;  ///< row-major, 3 bytes per pixel

  std::array<uint8_t, 3> at(int x, int y) const {
    const size_t i =
        (static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)) * 3;
    return {rgb[i], rgb[i + 1], rgb[i + 2]};
  }
};

/// Reads any PNG (alpha is composed onto white). Throws std::runtime_error when it does not decode.
RgbImage read_png(const std::filesystem::path& path);

}  // namespace keras::testing
