#include "digit_image.hpp"

#include <png.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <memory>

#include "keras/core/error.hpp"

namespace keras::app {

namespace {

// Everything within this fraction of the stroke contrast counts as background (paper grain,
// JPEG-like noise, the faint halo of a scanned stroke).
constexpr float kNoiseFloor = 0.1f;

struct PngImage {
  png_image image{};
  PngImage() { image.version = PNG_IMAGE_VERSION; }
  ~PngImage() { png_image_free(&image); }
  PngImage(const PngImage&) = delete;
  PngImage& operator=(const PngImage&) = delete;
};

// Area-weighted resampling along one axis: output i is the mean of the input over
// [i * in / out, (i + 1) * in / out). Exact for down- and up-scaling, so no aliasing.
void resample_axis(const float* src, int in, int in_stride, float* dst, int out, int out_stride) {
  const double step = static_cast<double>(in) / out;
  for (int i = 0; i < out; ++i) {
    const double a = i * step, b = (i + 1) * step;
    double sum = 0.0;
    for (int k = static_cast<int>(a); k < in && k < b; ++k)
      sum += (std::min<double>(b, k + 1) - std::max<double>(a, k)) * src[k * in_stride];
    dst[i * out_stride] = static_cast<float>(sum / step);
  }
}

std::vector<float> resize_area(const std::vector<float>& src, int w, int h, int nw, int nh) {
  std::vector<float> rows(static_cast<size_t>(nw) * h), out(static_cast<size_t>(nw) * nh);
  for (int y = 0; y < h; ++y)
    resample_axis(&src[size_t(y) * w], w, 1, &rows[size_t(y) * nw], nw, 1);
  for (int x = 0; x < nw; ++x) resample_axis(&rows[x], h, nw, &out[x], nh, nw);
  return out;
}

float median(std::vector<float> values) {
  auto mid = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), mid, values.end());
  return *mid;
}

std::vector<float> border_pixels(const GrayImage& img) {
  std::vector<float> border;
  for (int x = 0; x < img.width; ++x) {
    border.push_back(img.at(x, 0));
    if (img.height > 1) border.push_back(img.at(x, img.height - 1));
  }
  for (int y = 1; y + 1 < img.height; ++y) {
    border.push_back(img.at(0, y));
    if (img.width > 1) border.push_back(img.at(img.width - 1, y));
  }
  return border;
}

}  // namespace

GrayImage decode_png(std::span<const uint8_t> bytes, const std::string& what, int max_side) {
  PngImage png;
  if (!png_image_begin_read_from_memory(&png.image, bytes.data(), bytes.size()))
    throw IOError(what + " is not a readable PNG image (" + png.image.message +
                  "); save the picture as PNG");
  if (png.image.width == 0 || png.image.height == 0 || png.image.width > unsigned(max_side) ||
      png.image.height > unsigned(max_side))
    throw IOError(what + " is " + std::to_string(png.image.width) + "x" +
                  std::to_string(png.image.height) + " pixels; at most " +
                  std::to_string(max_side) + "x" + std::to_string(max_side) +
                  " is accepted, so scale it down first");
  png.image.format = PNG_FORMAT_RGBA;
  std::vector<uint8_t> rgba(PNG_IMAGE_SIZE(png.image));
  if (!png_image_finish_read(&png.image, nullptr, rgba.data(), 0, nullptr))
    throw IOError(what + " is a damaged PNG image (" + png.image.message + ")");
  GrayImage out{static_cast<int>(png.image.width), static_cast<int>(png.image.height), {}};
  out.pixels.resize(static_cast<size_t>(out.width) * out.height);
  for (size_t i = 0; i < out.pixels.size(); ++i) {
    const uint8_t* p = &rgba[4 * i];
    const float luma = (0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2]) / 255.0f;
    const float alpha = p[3] / 255.0f;
    out.pixels[i] = alpha * luma + (1.0f - alpha);  // over a white page
  }
  return out;
}

GrayImage read_png(const std::filesystem::path& path, int max_side) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IOError("cannot open image '" + path.string() + "': no such file or not readable");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  return decode_png(bytes, "image '" + path.string() + "'", max_side);
}

std::vector<uint8_t> encode_png(const GrayImage& image) {
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() != static_cast<size_t>(image.width) * image.height)
    throw ValueError("encode_png: the image has no pixels or its size does not match " +
                     std::to_string(image.width) + "x" + std::to_string(image.height));
  std::vector<uint8_t> gray(image.pixels.size());
  std::transform(image.pixels.begin(), image.pixels.end(), gray.begin(), [](float v) {
    return static_cast<uint8_t>(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f));
  });
  PngImage png;
  png.image.width = static_cast<png_uint_32>(image.width);
  png.image.height = static_cast<png_uint_32>(image.height);
  png.image.format = PNG_FORMAT_GRAY;
  png_alloc_size_t size = 0;
  if (!png_image_write_get_memory_size(png.image, size, 0, gray.data(), 0, nullptr))
    throw IOError(std::string("encode_png: ") + png.image.message);
  std::vector<uint8_t> out(size);
  if (!png_image_write_to_memory(&png.image, out.data(), &size, 0, gray.data(), 0, nullptr))
    throw IOError(std::string("encode_png: ") + png.image.message);
  out.resize(size);
  return out;
}

void write_png(const std::filesystem::path& path, const GrayImage& image) {
  const auto bytes = encode_png(image);
  auto tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    if (!out.flush()) {
      std::filesystem::remove(tmp);
      throw IOError("cannot write '" + path.string() +
                    "': check the directory exists and is writable");
    }
  }
  std::filesystem::rename(tmp, path);
}

MnistPixels preprocess_mnist(const GrayImage& img) {
  if (img.width <= 0 || img.height <= 0 ||
      img.pixels.size() != static_cast<size_t>(img.width) * img.height)
    throw ValueError("preprocess_mnist: the image has no pixels");
  // 1. Ink: MNIST digits are white on black; a light border means dark ink on a light page.
  const float background = median(border_pixels(img));
  const bool light_page = background > 0.5f;
  std::vector<float> ink(img.pixels);
  if (light_page)
    for (float& v : ink) v = 1.0f - v;
  const float base = light_page ? 1.0f - background : background;
  const float peak = *std::max_element(ink.begin(), ink.end());
  if (peak - base < kNoiseFloor)
    throw ValueError(
        "no digit found in the image: every pixel is within 10% of the background's "
        "brightness; draw the digit darker (or lighter) than the page");

  // 2. Stretch the contrast to [0, 1] and find the ink's bounding box.
  int x0 = img.width, y0 = img.height, x1 = -1, y1 = -1;
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x) {
      float& v = ink[size_t(y) * img.width + x];
      v = std::min(1.0f, (v - base) / (peak - base));
      if (v < kNoiseFloor) {
        v = 0.0f;
        continue;
      }
      x0 = std::min(x0, x), x1 = std::max(x1, x);
      y0 = std::min(y0, y), y1 = std::max(y1, y);
    }
  const int w = x1 - x0 + 1, h = y1 - y0 + 1;
  std::vector<float> crop(static_cast<size_t>(w) * h);
  for (int y = 0; y < h; ++y)
    std::copy_n(&ink[size_t(y0 + y) * img.width + x0], w, &crop[size_t(y) * w]);

  // 3. Longest side to 20 px, aspect ratio kept, area-averaged (anti-aliased).
  const double scale = static_cast<double>(kMnistBox) / std::max(w, h);
  const int nw = std::clamp(static_cast<int>(std::lround(w * scale)), 1, kMnistBox);
  const int nh = std::clamp(static_cast<int>(std::lround(h * scale)), 1, kMnistBox);
  const std::vector<float> box = resize_area(crop, w, h, nw, nh);

  // 4. Paste into 28x28 so the centre of mass lands on pixel (14, 14), i.e. at 14.5 in
  //    pixel-centre coordinates: MNIST's centres of mass all lie in [14, 15). The box stays
  //    inside the frame.
  double mass = 0.0, mx = 0.0, my = 0.0;
  for (int y = 0; y < nh; ++y)
    for (int x = 0; x < nw; ++x) {
      const double v = box[size_t(y) * nw + x];
      mass += v, mx += v * (x + 0.5), my += v * (y + 0.5);
    }
  const double centre = kMnistSide / 2 + 0.5;
  const int ox = std::clamp(static_cast<int>(std::lround(centre - mx / mass)), 0, kMnistSide - nw);
  const int oy = std::clamp(static_cast<int>(std::lround(centre - my / mass)), 0, kMnistSide - nh);
  MnistPixels out{};
  for (int y = 0; y < nh; ++y)
    std::copy_n(&box[size_t(y) * nw], nw, &out[size_t(oy + y) * kMnistSide + ox]);
  return out;
}

GrayImage mnist_image(const MnistPixels& pixels) {
  return {kMnistSide, kMnistSide, std::vector<float>(pixels.begin(), pixels.end())};
}

}  // namespace keras::app
