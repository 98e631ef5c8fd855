// Weight initialisers by Keras name: glorot_uniform, zeros, ones, ...
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "keras/tensor/shape.hpp"
#include "keras/utils/random.hpp"

namespace keras::initializers {

enum class Kind { glorot_uniform, glorot_normal, he_uniform, he_normal, zeros, ones };

/// Resolves a Keras identifier ("glorot_uniform", "GlorotUniform", "zeros", ...).
Kind get(std::string_view name);
/// The Keras class name ("GlorotUniform", "Zeros", ...), as written in config.json.
std::string class_name(Kind kind);

/// Fan-in and fan-out as Keras computes them: (a, b) for a 2-D shape; for a conv kernel
/// (kh, kw, cin, cout): kh*kw*cin and kh*kw*cout.
std::pair<double, double> compute_fans(const Shape& shape);

/// Fills `values` (of the given shape) from `gen`.
void initialize(Kind kind, const Shape& shape, std::span<float> values, random::Generator& gen);

}  // namespace keras::initializers
