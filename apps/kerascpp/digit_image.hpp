// Digit images for the kerascpp tool: PNG in and out (libpng), and the MNIST preprocessing
// that turns a picture of one handwritten digit (any size, colour or grayscale, dark-on-light
// or light-on-dark) into the 28x28 white-on-black input the tutorial's models were trained on.
// The steps are listed in docs/cli.md ("How an image becomes MNIST input"); `kerascpp predict`
// and `POST /v1/predict` with a PNG body both go through preprocess_mnist().
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace keras::app {

/// A grayscale image, row-major, values in [0, 1] (0 black, 1 white).
struct GrayImage {
  int width = 0;
  int height = 0;
  std::vector<float> pixels;
  float at(int x, int y) const { return pixels[static_cast<size_t>(y) * width + x]; }
};

/// The largest width or height decode_png accepts (a guard against decompression bombs).
inline constexpr int kMaxImageSide = 4096;

/// Decodes a PNG of any type (gray, gray+alpha, RGB, RGBA, palette; 1-16 bits) to luminance
/// (ITU-R 601: 0.299 R + 0.587 G + 0.114 B); transparent pixels are composited over white.
/// `what` names the source in error messages. Throws keras::IOError if the bytes are not a
/// PNG or it is larger than max_side in either direction.
GrayImage decode_png(std::span<const uint8_t> bytes, const std::string& what = "PNG data",
                     int max_side = kMaxImageSide);
GrayImage read_png(const std::filesystem::path& path, int max_side = kMaxImageSide);
/// Encodes an 8-bit grayscale PNG.
std::vector<uint8_t> encode_png(const GrayImage& image);
/// Writes an 8-bit grayscale PNG (to a temporary name, then renamed).
void write_png(const std::filesystem::path& path, const GrayImage& image);

inline constexpr int kMnistSide = 28;
inline constexpr int kMnistBox = 20;  ///< the digit's longest side after scaling
using MnistPixels = std::array<float, kMnistSide * kMnistSide>;

/// MNIST preprocessing: grayscale -> ink white on black (inverted when the border is light) ->
/// contrast stretched -> cropped to the ink's bounding box -> scaled (area-averaged, aspect
/// kept) so the longest side is 20 px -> pasted into 28x28 with its centre of mass at the
/// centre. Values are in [0, 1]. Throws keras::ValueError if the image holds no digit (no
/// pixel differs from the background by 10% or more).
MnistPixels preprocess_mnist(const GrayImage& image);

/// An MNIST-sized image as a GrayImage (to look at what the model sees).
GrayImage mnist_image(const MnistPixels& pixels);

}  // namespace keras::app
