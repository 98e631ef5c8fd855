// numpy-compatible printing of arrays (numpy's default print options: precision 8,
// threshold 1000, edgeitems 3, linewidth 75 is not applied).
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "keras/tensor/ndarray.hpp"

namespace keras::detail {

void throw_value_error(const std::string& message) {
  throw ValueError(message);
}

namespace {

constexpr int64_t kThreshold = 1000;
constexpr int64_t kEdgeItems = 3;

struct FloatStyle {
  bool scientific = false;
  int precision = 0;  // digits after the point (or of the mantissa in scientific mode)
  bool all_integral = false;
};

std::string format_fixed(double v, int precision) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", precision, v);
  return buf;
}

// Shortest digit count (<= 8) that prints v exactly at that precision, as numpy's 'maxprec'.
int needed_precision(double v, bool scientific) {
  for (int p = 0; p < 8; ++p) {
    char buf[64];
    std::snprintf(buf, sizeof buf, scientific ? "%.*e" : "%.*f", p, v);
    if (std::strtod(buf, nullptr) == static_cast<double>(static_cast<float>(v)) ||
        std::strtod(buf, nullptr) == v)
      return p;
  }
  return 8;
}

std::string format_float(double v, const FloatStyle& style) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  if (style.scientific) {
    std::snprintf(buf, sizeof buf, "%.*e", style.precision, v);
    return buf;
  }
  if (style.all_integral) return format_fixed(v, 0) + ".";
  std::string s = format_fixed(v, style.precision);
  // numpy drops trailing zeros per element and pads with spaces on the right instead.
  size_t end = s.size();
  while (end > 0 && s[end - 1] == '0') --end;
  std::string trimmed = s.substr(0, end);
  return trimmed + std::string(s.size() - end, ' ');
}

void format_level(const std::vector<std::string>& cells, const Shape& shape, size_t axis,
                  int64_t offset, int64_t stride_count, bool summarise, size_t width,
                  std::string& out) {
  const int64_t n = shape[axis];
  out += '[';
  auto emit = [&](int64_t i) {
    if (axis + 1 == shape.rank()) {
      const std::string& c = cells[static_cast<size_t>(offset + i)];
      out += std::string(width - c.size(), ' ') + c;
    } else {
      int64_t inner = stride_count / n;
      format_level(cells, shape, axis + 1, offset + i * inner, inner, summarise, width, out);
    }
  };
  const bool cut = summarise && n > 2 * kEdgeItems;
  const std::string sep = axis + 1 == shape.rank() ? std::string(" ")
                                                   : std::string(shape.rank() - axis - 1, '\n') +
                                                         std::string(axis + 1, ' ');
  bool first = true;
  for (int64_t i = 0; i < n; ++i) {
    if (cut && i == kEdgeItems) {
      out += sep + "...";
      i = n - kEdgeItems - 1;
      continue;
    }
    if (!first) out += sep;
    first = false;
    emit(i);
  }
  out += ']';
}

}  // namespace

std::string format_array(const double* values, int64_t count, const Shape& shape, bool integral) {
  FloatStyle style;
  if (!integral) {
    double max_abs = 0, min_abs = INFINITY;
    bool all_int = true;
    for (int64_t i = 0; i < count; ++i) {
      double a = std::fabs(values[i]);
      if (!std::isfinite(a)) continue;
      max_abs = std::max(max_abs, a);
      if (a > 0) min_abs = std::min(min_abs, a);
      if (values[i] != std::floor(values[i])) all_int = false;
    }
    style.all_integral = all_int;
    style.scientific = max_abs >= 1e8 || (min_abs < 1e-4 && min_abs > 0) ||
                       (min_abs > 0 && max_abs / min_abs > 1e3);
    for (int64_t i = 0; i < count; ++i)
      if (std::isfinite(values[i]))
        style.precision = std::max(style.precision, needed_precision(values[i], style.scientific));
    if (style.scientific) style.all_integral = false;
  }
  std::vector<std::string> cells(static_cast<size_t>(count));
  size_t width = 0;
  for (int64_t i = 0; i < count; ++i) {
    cells[static_cast<size_t>(i)] = integral ? std::to_string(static_cast<long long>(values[i]))
                                             : format_float(values[i], style);
    width = std::max(width, cells[static_cast<size_t>(i)].size());
  }
  if (shape.rank() == 0) return count ? cells[0] : std::string();
  std::string out;
  format_level(cells, shape, 0, 0, count, count > kThreshold, width, out);
  return out;
}

}  // namespace keras::detail
