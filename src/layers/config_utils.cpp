#include "config_utils.hpp"

#include <algorithm>
#include <cctype>

#include "keras/core/error.hpp"

namespace keras::layers {

Padding parse_padding(std::string_view padding, std::string_view where) {
  std::string p(padding);
  std::transform(p.begin(), p.end(), p.begin(), [](unsigned char ch) { return char(std::tolower(ch)); });
  if (p == "valid") return Padding::valid;
  if (p == "same") return Padding::same;
  throw ValueError(std::string(where) + ": padding must be 'valid' or 'same', got '" +
                   std::string(padding) + "'");
}

std::string to_string(Padding padding) { return padding == Padding::same ? "same" : "valid"; }

namespace config {

namespace {
bool has(const json& c, const char* key) { return c.contains(key) && !c.at(key).is_null(); }
[[noreturn]] void bad(std::string_view class_name, const char* key, const json& value, const char* want) {
  throw ValueError(std::string(class_name) + " config: '" + key + "' must be " + want + ", got " +
                   value.dump());
}
}  // namespace

std::string name(const json& c) { return has(c, "name") ? c.at("name").get<std::string>() : ""; }

std::optional<Shape> input_shape(const json& c) {
  for (const char* key : {"batch_shape", "batch_input_shape"}) {
    if (!has(c, key)) continue;
    const json& dims = c.at(key);
    if (!dims.is_array() || dims.empty()) bad("layer", key, dims, "a list [batch, dims...]");
    std::vector<int64_t> out;
    for (size_t i = 1; i < dims.size(); ++i) {
      if (!dims[i].is_number_integer()) bad("layer", key, dims, "known dimensions after the batch");
      out.push_back(dims[i].get<int64_t>());
    }
    return Shape(std::move(out));
  }
  return std::nullopt;
}

std::optional<Size2> optional_size2(const json& c, const char* key, std::string_view class_name) {
  if (!has(c, key)) return std::nullopt;
  const json& v = c.at(key);
  if (v.is_number_integer()) return Size2(v.get<int64_t>());
  if (v.is_array() && v.size() == 2 && v[0].is_number_integer() && v[1].is_number_integer())
    return Size2(v[0].get<int64_t>(), v[1].get<int64_t>());
  bad(class_name, key, v, "an integer or a list of two integers");
}

Size2 size2(const json& c, const char* key, Size2 fallback, std::string_view class_name) {
  return optional_size2(c, key, class_name).value_or(fallback);
}

std::string string(const json& c, const char* key, const std::string& fallback) {
  return has(c, key) ? c.at(key).get<std::string>() : fallback;
}

std::string activation(const json& c, const char* key) {
  if (!has(c, key)) return "linear";
  const json& v = c.at(key);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("config") && v.at("config").is_string())  // legacy serialization
    return v.at("config").get<std::string>();
  if (v.is_object() && v.contains("class_name") && v.at("class_name").is_string())
    return v.at("class_name").get<std::string>();
  bad("layer", key, v, "an activation name");
}

std::string initializer(const json& c, const char* key, const std::string& fallback) {
  if (!has(c, key)) return fallback;
  const json& v = c.at(key);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("class_name")) return v.at("class_name").get<std::string>();
  bad("layer", key, v, "an initializer name or {\"class_name\": ...}");
}

void require_channels_last(const json& c, std::string_view class_name) {
  const std::string format = string(c, "data_format", "channels_last");
  if (format != "channels_last")
    throw NotImplementedError(std::string(class_name) + ": data_format='" + format +
                              "' is not supported; kerascpp layers are channels_last (NHWC)");
}

void require_all(const json& c, const char* key, int64_t expected, std::string_view class_name) {
  if (!has(c, key)) return;
  const json& v = c.at(key);
  const bool ok = v.is_array() ? std::all_of(v.begin(), v.end(), [&](const json& e) { return e == expected; })
                               : v == expected;
  if (!ok)
    throw NotImplementedError(std::string(class_name) + ": " + key + "=" + v.dump() +
                              " is not supported; kerascpp supports " + key + "=" + std::to_string(expected));
}

json serialize(initializers::Kind kind) {
  const bool random = kind != initializers::Kind::zeros && kind != initializers::Kind::ones;
  return {{"module", "keras.initializers"},
          {"class_name", initializers::class_name(kind)},
          {"config", random ? json{{"seed", nullptr}} : json::object()},
          {"registered_name", nullptr}};
}

json to_json(Size2 s) { return json::array({s.h, s.w}); }

}  // namespace config
}  // namespace keras::layers
