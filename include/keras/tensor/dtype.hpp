// Element types an NDArray may hold, and their numpy names.
#pragma once

#include <cstdint>
#include <string_view>
#include <type_traits>

namespace keras {

template <class T>
concept ArrayElement = std::is_same_v<T, float> || std::is_same_v<T, double> ||
    std::is_same_v<T, uint8_t> || std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t>;

/// numpy's name for the element type: "float32", "uint8", ...
template <ArrayElement T>
constexpr std::string_view dtype_name() {
  if constexpr (std::is_same_v<T, float>) return "float32";
  if constexpr (std::is_same_v<T, double>) return "float64";
  if constexpr (std::is_same_v<T, uint8_t>) return "uint8";
  if constexpr (std::is_same_v<T, int32_t>) return "int32";
  if constexpr (std::is_same_v<T, int64_t>) return "int64";
}

}  // namespace keras
