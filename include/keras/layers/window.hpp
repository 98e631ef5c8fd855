// The window arguments shared by Conv2D and the pooling layers: a 2-D size (Keras accepts an
// int or an (h, w) tuple) and the padding mode.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "keras/backend/conv_kernels.hpp"

namespace keras::layers {

/// `3` or `{3, 3}`, as Keras's kernel_size=3 or kernel_size=(3, 3).
struct Size2 {
  int64_t h, w;
  Size2(int64_t n) : h(n), w(n) {}  // NOLINT(google-explicit-constructor): Conv2D(32, 3)
  Size2(int64_t height, int64_t width) : h(height), w(width) {}
  bool operator==(const Size2&) const = default;
};

using kernels::Padding;
/// "valid" or "same" (any case, as Keras); nullopt for anything else.
std::optional<Padding> padding_from_string(std::string_view padding);
/// As padding_from_string, but anything else throws ValueError naming `where`.
Padding parse_padding(std::string_view padding, std::string_view where);
std::string to_string(Padding padding);

}  // namespace keras::layers
