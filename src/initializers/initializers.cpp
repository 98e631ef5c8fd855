#include "keras/initializers/initializers.hpp"

#include <algorithm>
#include <cmath>

#include "keras/core/error.hpp"

namespace keras::initializers {

Kind get(std::string_view name) {
  if (name == "glorot_uniform" || name == "GlorotUniform") return Kind::glorot_uniform;
  if (name == "glorot_normal" || name == "GlorotNormal") return Kind::glorot_normal;
  if (name == "he_uniform" || name == "HeUniform") return Kind::he_uniform;
  if (name == "he_normal" || name == "HeNormal") return Kind::he_normal;
  if (name == "zeros" || name == "Zeros") return Kind::zeros;
  if (name == "ones" || name == "Ones") return Kind::ones;
  throw ValueError("Unknown initializer '" + std::string(name) +
                   "'. Valid initializers: glorot_uniform, glorot_normal, he_uniform, he_normal, "
                   "zeros, ones");
}

std::string class_name(Kind kind) {
  switch (kind) {
    case Kind::glorot_uniform:
      return "GlorotUniform";
    case Kind::glorot_normal:
      return "GlorotNormal";
    case Kind::he_uniform:
      return "HeUniform";
    case Kind::he_normal:
      return "HeNormal";
    case Kind::zeros:
      return "Zeros";
    case Kind::ones:
      return "Ones";
  }
  return "Zeros";
}

std::pair<double, double> compute_fans(const Shape& shape) {
  if (shape.rank() == 0) return {1, 1};
  if (shape.rank() == 1) return {double(shape[0]), double(shape[0])};
  if (shape.rank() == 2) return {double(shape[0]), double(shape[1])};
  double receptive = 1;
  for (size_t i = 0; i + 2 < shape.rank(); ++i) receptive *= double(shape[i]);
  return {receptive * double(shape[shape.rank() - 2]), receptive * double(shape[shape.rank() - 1])};
}

void initialize(Kind kind, const Shape& shape, std::span<float> values, random::Generator& gen) {
  auto [fan_in, fan_out] = compute_fans(shape);
  switch (kind) {
    case Kind::zeros:
      std::fill(values.begin(), values.end(), 0.0f);
      return;
    case Kind::ones:
      std::fill(values.begin(), values.end(), 1.0f);
      return;
    case Kind::glorot_uniform:
    case Kind::he_uniform: {
      // VarianceScaling, distribution="uniform": limit = sqrt(3 * scale / n).
      const double scale = kind == Kind::he_uniform ? 2.0 : 1.0;
      const double n = kind == Kind::he_uniform ? fan_in : (fan_in + fan_out) / 2.0;
      const float limit = static_cast<float>(std::sqrt(3.0 * scale / std::max(1.0, n)));
      for (float& v : values) v = gen.uniform(-limit, limit);
      return;
    }
    case Kind::glorot_normal:
    case Kind::he_normal: {
      // VarianceScaling, distribution="truncated_normal": stddev = sqrt(scale / n) / .87962566.
      const double scale = kind == Kind::he_normal ? 2.0 : 1.0;
      const double n = kind == Kind::he_normal ? fan_in : (fan_in + fan_out) / 2.0;
      const float stddev =
          static_cast<float>(std::sqrt(scale / std::max(1.0, n)) / .87962566103423978);
      for (float& v : values) {
        float z;
        do z = gen.normal();
        while (std::fabs(z) > 2.0f);
        v = z * stddev;
      }
      return;
    }
  }
}

}  // namespace keras::initializers
