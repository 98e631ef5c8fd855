// Reading and writing the pieces of Keras layer configs that several layers share (private to
// src/layers). Readers accept what Keras 2 and Keras 3 files contain.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "keras/initializers/initializers.hpp"
#include "keras/layers/window.hpp"
#include "keras/tensor/shape.hpp"

namespace keras::layers::config {

using nlohmann::json;

/// The layer name, or "" (auto-name) when absent.
std::string name(const json& c);
/// The input shape without the batch axis from `batch_shape` (Keras 3) or `batch_input_shape`
/// (Keras 2), when the config carries one.
std::optional<Shape> input_shape(const json& c);
/// An int or an [h, w] list under `key`; `fallback` when absent or null.
Size2 size2(const json& c, const char* key, Size2 fallback, std::string_view class_name);
std::optional<Size2> optional_size2(const json& c, const char* key, std::string_view class_name);
/// A string under `key`; `fallback` when absent or null.
std::string string(const json& c, const char* key, const std::string& fallback);
/// An activation name; Keras writes null for "linear".
std::string activation(const json& c, const char* key = "activation");
/// An initializer given as a string or as {"class_name": ...}.
std::string initializer(const json& c, const char* key, const std::string& fallback);
/// Throws NotImplementedError unless data_format is absent or "channels_last".
void require_channels_last(const json& c, std::string_view class_name);
/// Throws NotImplementedError unless `key` is absent or every entry equals `expected`
/// (e.g. dilation_rate 1, groups 1).
void require_all(const json& c, const char* key, int64_t expected, std::string_view class_name);

/// Keras's serialized initializer: {"module": "keras.initializers", "class_name": ..., ...}.
json serialize(initializers::Kind kind);
/// [h, w] as Keras writes tuples.
json to_json(Size2 s);

}  // namespace keras::layers::config
