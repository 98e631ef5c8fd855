#include "keras/layers/window.hpp"

#include <algorithm>
#include <cctype>

#include "keras/core/error.hpp"

namespace keras::layers {

std::optional<Padding> padding_from_string(std::string_view padding) {
  std::string p(padding);
  std::transform(p.begin(), p.end(), p.begin(),
                 [](unsigned char ch) { return char(std::tolower(ch)); });
  if (p == "valid") return Padding::valid;
  if (p == "same") return Padding::same;
  return std::nullopt;
}

Padding parse_padding(std::string_view padding, std::string_view where) {
  if (auto p = padding_from_string(padding)) return *p;
  throw ValueError(std::string(where) + ": padding must be 'valid' or 'same', got '" +
                   std::string(padding) + "'");
}

std::string to_string(Padding padding) {
  return padding == Padding::same ? "same" : "valid";
}

}  // namespace keras::layers
