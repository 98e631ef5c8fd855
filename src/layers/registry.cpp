#include "keras/layers/registry.hpp"
#include "keras/layers/activation.hpp"
#include "keras/layers/batch_normalization.hpp"
#include "keras/layers/conv2d.hpp"
#include "keras/layers/global_average_pooling2d.hpp"
#include "keras/layers/pooling2d.hpp"
#include "keras/layers/reshape.hpp"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>
#include <mutex>

#include "keras/activations/activations.hpp"
#include "keras/core/error.hpp"
#include "keras/layers/dense.hpp"
#include "keras/layers/dropout.hpp"
#include "keras/layers/flatten.hpp"
#include "keras/layers/input_layer.hpp"

namespace keras::layers {

using nlohmann::json;

namespace {

constexpr int64_t kMaxDim = int64_t(1) << 31;
constexpr int64_t kMaxSampleSize = int64_t(1) << 40;

// A short description of a JSON value for messages (never dumps a large or deep value).
std::string brief(const json& v) {
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    return s.size() <= 60 ? "\"" + s + "\"" : "\"" + s.substr(0, 57) + "...\"";
  }
  const auto scalar = [](const json& e) { return e.is_number() || e.is_boolean() || e.is_null(); };
  if (scalar(v)) return v.dump();
  if (v.is_array() && v.size() <= 8 && std::all_of(v.begin(), v.end(), scalar)) {
    std::string s = v.dump();  // [2,2]: short lists of numbers are shown in full
    if (s.size() <= 60) return s;
  }
  return v.is_array() ? "a list" : "an object";
}

// "'dense_1' " when the config has a string name, else "".
std::string quoted_name(const json& config) {
  auto it = config.is_object() ? config.find("name") : config.end();
  if (!config.is_object() || it == config.end() || !it->is_string()) return "";
  const auto& s = it->get_ref<const std::string&>();
  return "'" + (s.size() <= 60 ? s : s.substr(0, 57) + "...") + "' ";
}

}  // namespace

// ---- LayerConfig -------------------------------------------------------------------------------
LayerConfig::LayerConfig(std::string class_name, const json& config, WarningHandler warn)
    : class_name_(std::move(class_name)), config_(config), warn_(std::move(warn)) {
  if (!config_.is_object()) fail("its config must be a JSON object, got " + brief(config_));
}

const json* LayerConfig::find(std::string_view key) const {
  auto it = config_.find(key);
  return it == config_.end() || it->is_null() ? nullptr : &*it;
}

bool LayerConfig::has(std::string_view key) const {
  return find(key) != nullptr;
}

std::string LayerConfig::name() const {
  const json* v = find("name");
  if (!v) return "";
  if (!v->is_string()) fail("\"name\" must be a string, got " + brief(*v));
  const auto& s = v->get_ref<const std::string&>();
  if (s.size() > 256 || s.find('/') != std::string::npos || s == "." || s == "..")
    fail("name " + brief(*v) + " is not a valid layer name (at most 256 characters, no '/')");
  return s;
}

std::string LayerConfig::where(std::string_view key) const {
  return "layer " + quoted_name(config_) + "(" + class_name_ + "), key \"" + std::string(key) +
         "\"";
}

void LayerConfig::fail(const std::string& problem) const {
  throw ValueError("layer " + quoted_name(config_) + "(" + class_name_ + "): " + problem);
}

void LayerConfig::warn(const std::string& message) const {
  if (warn_)
    warn_(message);
  else
    std::cerr << "WARNING: kerascpp: " << message << "\n";
}

int64_t LayerConfig::get_int(std::string_view key, std::optional<int64_t> fallback) const {
  const json* v = find(key);
  if (!v) {
    if (fallback) return *fallback;
    throw ValueError(where(key) + " is missing");
  }
  return to_int(key, *v);
}

int64_t LayerConfig::to_int(std::string_view key, const json& v) const {
  if (v.is_number_integer()) {
    if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(1) << 53)
      throw ValueError(where(key) + " is too large: " + brief(v));
    return v.get<int64_t>();
  }
  if (v.is_number_float()) {  // 128.0 from some writers
    const double d = v.get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) <= 9007199254740992.0)
      return static_cast<int64_t>(d);
  }
  throw ValueError(where(key) + " must be an integer, got " + brief(v));
}

int64_t LayerConfig::get_axis(std::string_view key, int64_t fallback) const {
  const json* v = find(key);
  if (!v) return fallback;
  if (v->is_array() && v->size() != 1)
    throw NotImplementedError(where(key) + " = " + brief(*v) +
                              " is not supported yet; kerascpp takes a single axis");
  const int64_t axis = to_int(key, v->is_array() ? (*v)[0] : *v);  // Keras 2 may write [3]
  if (axis < -9 || axis > 9)
    throw ValueError(where(key) + " must be an axis index in [-9, 9], got " + std::to_string(axis));
  return axis;
}

int64_t LayerConfig::get_positive_int(std::string_view key, std::optional<int64_t> fallback) const {
  const int64_t v = get_int(key, fallback);
  if (v < 1 || v > kMaxDim)
    throw ValueError(where(key) + " must be an integer in [1, 2^31], got " + std::to_string(v));
  return v;
}

double LayerConfig::get_number(std::string_view key, std::optional<double> fallback) const {
  const json* v = find(key);
  if (!v) {
    if (fallback) return *fallback;
    throw ValueError(where(key) + " is missing");
  }
  if (!v->is_number() || !std::isfinite(v->get<double>()))
    throw ValueError(where(key) + " must be a finite number, got " + brief(*v));
  return v->get<double>();
}

bool LayerConfig::get_bool(std::string_view key, std::optional<bool> fallback) const {
  const json* v = find(key);
  if (!v) {
    if (fallback) return *fallback;
    throw ValueError(where(key) + " is missing");
  }
  if (!v->is_boolean()) throw ValueError(where(key) + " must be true or false, got " + brief(*v));
  return v->get<bool>();
}

std::string LayerConfig::get_string(std::string_view key,
                                    std::optional<std::string> fallback) const {
  const json* v = find(key);
  if (!v) {
    if (fallback) return *fallback;
    throw ValueError(where(key) + " is missing");
  }
  if (!v->is_string()) throw ValueError(where(key) + " must be a string, got " + brief(*v));
  return v->get<std::string>();
}

std::vector<int64_t> LayerConfig::get_int_tuple(
    std::string_view key, size_t n, std::optional<std::vector<int64_t>> fallback) const {
  const json* v = find(key);
  if (!v) {
    if (fallback) return *fallback;
    throw ValueError(where(key) + " is missing");
  }
  if (v->is_number()) return std::vector<int64_t>(n, get_positive_int(key));
  if (!v->is_array() || v->size() != n)
    throw ValueError(where(key) + " must be an integer or a list of " + std::to_string(n) +
                     " integers, got " + brief(*v));
  std::vector<int64_t> out;
  for (const auto& e : *v) {
    if (!e.is_number_integer() || e.get<int64_t>() < 1 || e.get<int64_t>() > kMaxDim)
      throw ValueError(where(key) + " must hold integers in [1, 2^31], got " + brief(e));
    out.push_back(e.get<int64_t>());
  }
  return out;
}

Size2 LayerConfig::get_size2(std::string_view key, std::optional<Size2> fallback) const {
  if (fallback && !has(key)) return *fallback;
  const auto hw = get_int_tuple(key, 2);
  return {hw[0], hw[1]};
}

std::string LayerConfig::get_activation(std::string_view key) const {
  const json* v = find(key);
  std::string name;
  if (!v) {
    name = "linear";
  } else if (v->is_string()) {
    name = v->get<std::string>();
  } else if (v->is_object() && v->contains("config") && (*v)["config"].is_string()) {
    // {"module": "keras.activations", "class_name": "function", "config": "relu", ...}
    name = (*v)["config"].get<std::string>();
  } else {
    throw NotImplementedError(
        where(key) + ": activation " + brief(*v) +
        " is not supported yet; use one of linear, relu, sigmoid, softmax, tanh");
  }
  try {
    activations::get(name);
  } catch (const ValueError&) {
    throw NotImplementedError(
        where(key) + ": activation \"" + name +
        "\" is not supported yet; supported: linear, relu, sigmoid, softmax, tanh");
  }
  return name;
}

std::string LayerConfig::get_initializer(std::string_view key, std::string fallback) const {
  const json* v = find(key);
  if (!v) return fallback;
  std::string cls;
  const json* cfg = nullptr;
  if (v->is_string()) {
    cls = v->get<std::string>();
  } else if (v->is_object() && v->contains("class_name") && (*v)["class_name"].is_string()) {
    cls = (*v)["class_name"].get<std::string>();
    if (auto it = v->find("config"); it != v->end() && it->is_object()) cfg = &*it;
  }
  // Keras 2.3 writes GlorotUniform as its VarianceScaling form.
  if (cls == "VarianceScaling" && cfg) {
    const std::string mode = cfg->value("mode", ""), dist = cfg->value("distribution", "");
    const double scale =
        (*cfg).contains("scale") && (*cfg)["scale"].is_number() ? (*cfg)["scale"].get<double>() : 0;
    if (mode == "fan_avg" && dist == "uniform" && scale == 1.0) return "glorot_uniform";
    if (mode == "fan_avg" && (dist == "normal" || dist == "truncated_normal") && scale == 1.0)
      return "glorot_normal";
    if (mode == "fan_in" && dist == "uniform" && scale == 2.0) return "he_uniform";
    if (mode == "fan_in" && (dist == "normal" || dist == "truncated_normal") && scale == 2.0)
      return "he_normal";
  }
  try {
    initializers::get(cls);
    return cls;
  } catch (const ValueError&) {
    warn(where(key) + ": initializer " + brief(*v) + " is not available; using " + fallback +
         " (only matters for weights that are not loaded from a file)");
    return fallback;
  }
}

void LayerConfig::expect(std::string_view key, const json& supported) const {
  const json* v = find(key);
  if (v && *v != supported)
    throw NotImplementedError(where(key) + " = " + brief(*v) +
                              " is not supported yet; kerascpp implements " + brief(supported));
}

void LayerConfig::expect_each(std::string_view key, const json& supported) const {
  const json* v = find(key);
  if (v && v->is_array() && !v->empty() &&
      std::all_of(v->begin(), v->end(), [&](const json& e) { return e == supported; }))
    return;
  expect(key, supported);
}

void LayerConfig::expect_null(std::string_view key) const {
  if (const json* v = find(key))
    throw NotImplementedError(where(key) + " = " + brief(*v) + " is not supported yet");
}

void LayerConfig::ignore(std::string_view key, std::string_view why) const {
  if (const json* v = find(key); v && !(v->is_boolean() && !v->get<bool>()))
    warn(where(key) + " = " + brief(*v) + " is ignored: " + std::string(why));
}

namespace {

// Reads a shape with or without its batch axis, checked against absurd sizes. `inferred`: one
// entry may be -1, a size inferred from the others (Reshape's target_shape).
Shape checked_shape(const LayerConfig& c, std::string_view key, bool has_batch,
                    bool inferred = false) {
  if (!c.has(key)) c.fail("\"" + std::string(key) + "\" is missing");
  const json& v = c.raw()[std::string(key)];
  if (!v.is_array()) c.fail("\"" + std::string(key) + "\" must be a list, got " + brief(v));
  std::vector<int64_t> dims;
  for (size_t i = has_batch ? 1 : 0; i < v.size(); ++i) {
    const json& d = v[i];
    const bool ok =
        d.is_number_integer() && ((d.get<int64_t>() >= 1 && d.get<int64_t>() <= kMaxDim) ||
                                  (inferred && d.get<int64_t>() == -1));
    if (!ok)
      c.fail("\"" + std::string(key) + "\" must hold positive sizes (at most 2^31)" +
             (inferred ? " or -1" : "") + (has_batch ? " after the batch axis" : "") + ", got " +
             (d.is_null() ? std::string("None (a variable size, not supported yet)") : brief(d)));
    dims.push_back(d.get<int64_t>());
  }
  if (has_batch && v.empty()) c.fail("\"" + std::string(key) + "\" is empty");
  if (dims.empty() || dims.size() > 8)
    c.fail("\"" + std::string(key) + "\" must have 1 to 8 dimensions besides the batch axis");
  int64_t size = 1;
  for (int64_t d : dims) {
    if (d == -1) continue;
    if (size > kMaxSampleSize / d)
      c.fail("\"" + std::string(key) + "\" describes a sample of more than 2^40 values");
    size *= d;
  }
  return Shape(std::move(dims));
}

}  // namespace

std::optional<Shape> LayerConfig::input_shape() const {
  if (has("batch_shape")) return checked_shape(*this, "batch_shape", true);
  if (has("batch_input_shape")) return checked_shape(*this, "batch_input_shape", true);
  if (has("input_shape")) return checked_shape(*this, "input_shape", false);
  if (has("input_dim")) return Shape{get_positive_int("input_dim")};
  return std::nullopt;
}

// ---- built-in factories ------------------------------------------------------------------------
namespace {

// kernel_regularizer, gamma_constraint, ...: every layer's regularizers and constraints.
void ignore_regularizers(const LayerConfig& c) {
  for (const auto& [key, value] : c.raw().items())
    if (key.ends_with("_regularizer") || key.ends_with("_constraint"))
      c.ignore(key,
               "kerascpp has no regularizers or constraints yet (predictions are unaffected, "
               "training differs)");
}

LayerPtr input_layer_from_config(const LayerConfig& c) {
  auto shape = c.input_shape();
  if (!shape) c.fail("an InputLayer needs \"batch_shape\" (or \"batch_input_shape\")");
  c.expect("sparse", false);
  c.expect("ragged", false);
  c.expect("optional", false);
  return std::make_shared<InputLayer>(*shape, c.name());
}

LayerPtr dense_from_config(const LayerConfig& c) {
  c.expect_null("lora_rank");
  c.expect_null("quantization_config");
  ignore_regularizers(c);
  DenseOptions o;
  o.use_bias = c.get_bool("use_bias", true);
  o.kernel_initializer = c.get_initializer("kernel_initializer", "glorot_uniform");
  o.bias_initializer = c.get_initializer("bias_initializer", "zeros");
  o.name = c.name();
  return std::make_shared<Dense>(c.get_positive_int("units"), c.get_activation(), o);
}

LayerPtr flatten_from_config(const LayerConfig& c) {
  c.expect("data_format", "channels_last");
  return std::make_shared<Flatten>(FlattenOptions{.name = c.name()});
}

LayerPtr dropout_from_config(const LayerConfig& c) {
  const double rate = c.get_number("rate");
  if (!(rate >= 0 && rate <= 1)) c.fail("\"rate\" must be in [0, 1], got " + std::to_string(rate));
  c.ignore("noise_shape", "kerascpp drops elements independently (only matters when training)");
  DropoutOptions o;
  if (c.has("seed")) o.seed = static_cast<uint64_t>(c.get_int("seed"));
  o.name = c.name();
  return std::make_shared<Dropout>(rate, o);
}

// Checked here rather than by the layer's constructor so that the message names layer and key.
std::string padding(const LayerConfig& c) {
  std::string p = c.get_string("padding", "valid");
  if (!padding_from_string(p))
    c.fail("\"padding\" must be \"valid\" or \"same\", got " + brief(json(p)));
  return p;
}

LayerPtr conv2d_from_config(const LayerConfig& c) {
  c.expect("data_format", "channels_last");
  c.expect_each("dilation_rate", 1);
  c.expect("groups", 1);
  ignore_regularizers(c);
  return std::make_shared<Conv2D>(
      c.get_positive_int("filters"), c.get_size2("kernel_size"), c.get_activation(),
      Conv2DOptions{.strides = c.get_size2("strides", Size2(1)),
                    .padding = padding(c),
                    .use_bias = c.get_bool("use_bias", true),
                    .kernel_initializer = c.get_initializer("kernel_initializer", "glorot_uniform"),
                    .bias_initializer = c.get_initializer("bias_initializer", "zeros"),
                    .input_shape = c.input_shape(),
                    .name = c.name()});
}

template <class Pooling>
LayerPtr pooling2d_from_config(const LayerConfig& c) {
  c.expect("data_format", "channels_last");
  return std::make_shared<Pooling>(
      c.get_size2("pool_size", Size2(2)),
      Pooling2DOptions{
          .strides = c.has("strides") ? std::optional(c.get_size2("strides")) : std::nullopt,
          .padding = padding(c),
          .name = c.name()});
}

LayerPtr global_average_pooling2d_from_config(const LayerConfig& c) {
  c.expect("data_format", "channels_last");
  return std::make_shared<GlobalAveragePooling2D>(
      GlobalAveragePooling2DOptions{.keepdims = c.get_bool("keepdims", false), .name = c.name()});
}

LayerPtr reshape_from_config(const LayerConfig& c) {
  return std::make_shared<Reshape>(
      checked_shape(c, "target_shape", false, /*inferred=*/true),
      ReshapeOptions{.input_shape = c.input_shape(), .name = c.name()});
}

LayerPtr batch_normalization_from_config(const LayerConfig& c) {
  ignore_regularizers(c);
  return std::make_shared<BatchNormalization>(BatchNormalizationOptions{
      .axis = static_cast<int>(c.get_axis("axis", -1)),
      .momentum = c.get_number("momentum", 0.99),
      .epsilon = c.get_number("epsilon", 1e-3),
      .center = c.get_bool("center", true),
      .scale = c.get_bool("scale", true),
      .beta_initializer = c.get_initializer("beta_initializer", "zeros"),
      .gamma_initializer = c.get_initializer("gamma_initializer", "ones"),
      .moving_mean_initializer = c.get_initializer("moving_mean_initializer", "zeros"),
      .moving_variance_initializer = c.get_initializer("moving_variance_initializer", "ones"),
      .input_shape = c.input_shape(),
      .name = c.name()});
}

LayerPtr activation_from_config(const LayerConfig& c) {
  return std::make_shared<Activation>(
      c.get_activation(), ActivationOptions{.input_shape = c.input_shape(), .name = c.name()});
}

struct Entry {
  LayerFactory factory;
  bool build_config = true;
};

struct Registry {
  std::mutex mutex;
  std::map<std::string, Entry, std::less<>> factories;
  Registry() {
    // One line per built-in layer class: Keras class name -> factory, and whether Keras 3
    // writes a build_config for it (not for layers it builds in their constructor).
    factories = {
        {"InputLayer", {input_layer_from_config, false}},
        {"Dense", {dense_from_config, true}},
        {"Flatten", {flatten_from_config, true}},
        {"Dropout", {dropout_from_config, false}},
        {"Conv2D", {conv2d_from_config, true}},
        {"MaxPooling2D", {pooling2d_from_config<MaxPooling2D>, false}},
        {"AveragePooling2D", {pooling2d_from_config<AveragePooling2D>, false}},
        {"GlobalAveragePooling2D", {global_average_pooling2d_from_config, false}},
        {"Reshape", {reshape_from_config, true}},
        {"BatchNormalization", {batch_normalization_from_config, true}},
        {"Activation", {activation_from_config, false}},
    };
  }
};

Registry& registry() {
  static Registry r;
  return r;
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// dtype: a string, or a DTypePolicy object (Keras 3.4+; "Policy" in tf.keras).
void check_dtype(const LayerConfig& c) {
  const json& cfg = c.raw();
  auto it = cfg.find("dtype");
  if (it == cfg.end() || it->is_null()) return;
  std::string dtype;
  if (it->is_string()) {
    dtype = it->get<std::string>();
  } else if (it->is_object()) {
    auto inner = it->find("config");
    if (inner != it->end() && inner->is_object() && inner->contains("name") &&
        (*inner)["name"].is_string())
      dtype = (*inner)["name"].get<std::string>();
  }
  if (dtype != "float32")
    throw NotImplementedError("layer " + quoted_name(cfg) + "(" + c.class_name() + "): dtype " +
                              brief(*it) + " is not supported yet; kerascpp computes in float32");
}

}  // namespace

void register_layer(const std::string& class_name, LayerFactory factory, bool build_config) {
  if (class_name.empty() || !factory)
    throw ValueError("register_layer: need a class name and a factory");
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  r.factories[class_name] = {std::move(factory), build_config};
}

bool is_layer_registered(std::string_view class_name) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  return r.factories.find(class_name) != r.factories.end();
}

std::vector<std::string> registered_layers() {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  std::vector<std::string> out;
  for (const auto& [name, f] : r.factories) out.push_back(name);
  return out;
}

LayerPtr deserialize(const json& layer_json, LayerConfig::WarningHandler warn) {
  if (!layer_json.is_object())
    throw ValueError("a layer entry must be a JSON object, got " + brief(layer_json));
  auto cls = layer_json.find("class_name");
  if (cls == layer_json.end() || !cls->is_string())
    throw ValueError("a layer entry has no \"class_name\" string");
  const std::string class_name = cls->get<std::string>();
  if (class_name.empty() || class_name.size() > 256)
    throw ValueError("a layer entry has an invalid class name");
  LayerFactory factory;
  {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    if (auto it = r.factories.find(class_name); it != r.factories.end())
      factory = it->second.factory;
  }
  auto cfg = layer_json.find("config");
  static const json empty = json::object();
  const json& config = cfg == layer_json.end() || cfg->is_null() ? empty : *cfg;
  if (!factory) {
    const std::string n = quoted_name(config);
    throw NotImplementedError("layer " + class_name + " is not supported yet" +
                              (n.empty() ? "" : " (layer " + n.substr(0, n.size() - 1) + ")") +
                              ". Supported layers: " + join_names(registered_layers()) +
                              ". Add one with keras::layers::register_layer");
  }
  LayerConfig c(class_name, config, std::move(warn));
  check_dtype(c);
  if (auto t = config.find("trainable"); t != config.end() && t->is_boolean() && !t->get<bool>())
    c.warn("layer " + quoted_name(config) + "(" + class_name +
           "): trainable=false is ignored; kerascpp cannot freeze layers yet (predictions are "
           "unaffected)");
  return factory(c);
}

json serialize(const Layer& layer) {
  json out = {{"module", "keras.layers"},
              {"class_name", layer.class_name()},
              {"config", layer.get_config()},
              {"registered_name", nullptr}};
  bool has_build_config = true;
  {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    if (auto it = r.factories.find(layer.class_name()); it != r.factories.end())
      has_build_config = it->second.build_config;
  }
  if (layer.built() && has_build_config) {
    json shape = json::array({nullptr});
    for (int64_t d : layer.input_shape()) shape.push_back(d);
    out["build_config"] = {{"input_shape", shape}};
  }
  return out;
}

}  // namespace keras::layers
