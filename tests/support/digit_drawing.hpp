// Handwriting-like digits for the tests of the kerascpp tool: the strokes of a 0, 1 and 7 as
// polylines in a unit square (x right, y down), drawn with round, anti-aliased pens. The
// browser test (tests/browser/draw_digits.mjs) draws the same polylines with the mouse.
#pragma once

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>
#include <vector>

#include "digit_image.hpp"

namespace keras::testing {

struct Point {
  double x, y;
};
using Stroke = std::vector<Point>;

/// The strokes of digit d (0, 1 or 7).
inline std::vector<Stroke> digit_strokes(int d) {
  if (d == 1) return {{{0.55, 0.15}, {0.47, 0.85}}};
  if (d == 7) return {{{0.28, 0.2}, {0.72, 0.2}, {0.45, 0.85}}};
  Stroke zero;  // an upright ellipse, drawn from the top
  for (int i = 0; i <= 32; ++i) {
    const double t = 2 * std::numbers::pi * i / 32;
    zero.push_back({0.5 + 0.2 * std::sin(t), 0.5 - 0.32 * std::cos(t)});
  }
  return {zero};
}

/// A size x size picture of digit d: `ink` strokes `pen` (fraction of size) wide on `paper`.
inline app::GrayImage draw_digit(int d, int size, float ink = 0.0f, float paper = 1.0f,
                                 double pen = 0.065) {
  app::GrayImage img{size, size, std::vector<float>(static_cast<size_t>(size) * size, paper)};
  const double radius = pen * size / 2;
  for (const auto& stroke : digit_strokes(d))
    for (size_t s = 0; s + 1 < stroke.size(); ++s) {
      const Point a{stroke[s].x * size, stroke[s].y * size},
          b{stroke[s + 1].x * size, stroke[s + 1].y * size};
      const double dx = b.x - a.x, dy = b.y - a.y, len2 = dx * dx + dy * dy;
      for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x) {
          const double px = x + 0.5 - a.x, py = y + 0.5 - a.y;
          const double t = len2 > 0 ? std::clamp((px * dx + py * dy) / len2, 0.0, 1.0) : 0.0;
          const double dist = std::hypot(px - t * dx, py - t * dy);
          const float cover = static_cast<float>(std::clamp(radius - dist + 0.5, 0.0, 1.0));
          float& v = img.pixels[static_cast<size_t>(y) * size + x];
          const float target = paper + (ink - paper) * cover;
          v = std::abs(target - paper) > std::abs(v - paper) ? target : v;
        }
    }
  return img;
}

}  // namespace keras::testing
