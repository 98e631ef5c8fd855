#include "keras/io/model_config.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <iostream>
#include <map>

#include "io/common.hpp"
#include "keras/core/error.hpp"
#include "keras/layers/input_layer.hpp"
#include "keras/layers/registry.hpp"
#include "keras/metrics/metric.hpp"

namespace keras::io {

using nlohmann::json;

namespace detail {

void warn(const LoadOptions& options, const std::string& message) {
  if (options.on_warning)
    options.on_warning(message);
  else
    std::cerr << "WARNING: kerascpp: " << message << "\n";
}

json parse_json(std::string_view text, const std::string& what) {
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    throw ValueError(what + " is not valid JSON: " + e.what());
  }
}

[[noreturn]] void rethrow_with_context(const std::string& prefix) {
  try {
    throw;
  } catch (const NotImplementedError& e) {
    throw NotImplementedError(prefix + e.what());
  } catch (const ValueError& e) {
    throw ValueError(prefix + e.what());
  } catch (const IOError& e) {
    throw IOError(prefix + e.what());
  } catch (const Error& e) {
    throw Error(prefix + e.what());
  } catch (const json::exception& e) {
    throw ValueError(prefix + "unexpected JSON content (" + e.what() + ")");
  }
}

std::vector<std::string> keras3_layer_paths(const std::vector<layers::LayerPtr>& layers) {
  std::map<std::string, int> used;
  std::vector<std::string> out;
  for (const auto& l : layers) {
    const std::string base = layers::to_snake_case(l->class_name());
    auto [it, fresh] = used.try_emplace(base, 0);
    out.push_back(fresh ? base : base + "_" + std::to_string(++it->second));
  }
  return out;
}

std::vector<size_t> keras_variable_order(const layers::Layer& layer) {
  const auto specs = layer.weight_specs();
  std::vector<size_t> order;
  for (size_t i = 0; i < specs.size(); ++i)
    if (specs[i].trainable) order.push_back(i);
  for (size_t i = 0; i < specs.size(); ++i)
    if (!specs[i].trainable) order.push_back(i);
  return order;
}

namespace {
void check_name(const std::string& name, const std::string& what) {
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
    throw ValueError(what + " name '" + name +
                     "' cannot be saved: Keras names must be non-empty and contain no '/'");
}
}  // namespace

void check_saveable(const Sequential& model, const char* what) {
  if (!model.built())
    throw ValueError(
        std::string(what) + ": model '" + model.name() +
        "' is not built, so it has no weights yet. Give the first layer an input shape, "
        "call build(shape), or train it first");
  check_name(model.name(), "model");
  for (const auto& l : model.layers()) check_name(l->name(), "layer");
}

// ---- parsing -------------------------------------------------------------------------------
namespace {

constexpr size_t kMaxLayers = 100000;

const json* member(const json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

// A Keras shape list with its batch axis ([null, 28, 28]) -> Shape{28, 28}, via the checks of
// LayerConfig (one place decides what a valid shape is).
std::optional<Shape> shape_from(const json& batch_shape, const char* what) {
  json holder = {{"batch_shape", batch_shape}};
  return layers::LayerConfig(what, holder).input_shape();
}

int64_t checked_param_count(const ModelSpec& spec, int64_t limit) {
  int64_t total = 0;
  for (const auto& l : spec.layers)
    for (const auto& w : l->weight_specs()) {
      int64_t n = 1;
      for (int64_t d : w.shape)
        if (d < 0 || __builtin_mul_overflow(n, d, &n)) n = limit + 1;
      if (n > limit || __builtin_add_overflow(total, n, &total) || total > limit)
        throw ValueError("the model declares more than " + std::to_string(limit) +
                         " weights (layer '" + l->name() +
                         "'); raise LoadOptions::max_params if the file is trusted");
    }
  return total;
}

}  // namespace

ModelSpec parse_model_spec(const json& root, const LoadOptions& options) {
  if (!root.is_object()) throw ValueError("model config must be a JSON object");
  const json* cls = member(root, "class_name");
  if (!cls || !cls->is_string()) throw ValueError("model config has no \"class_name\"");
  const std::string class_name = cls->get<std::string>();
  if (class_name != "Sequential")
    throw NotImplementedError("model class \"" + class_name.substr(0, 60) +
                              "\" is not supported yet; kerascpp loads Sequential models");
  const json* config = member(root, "config");
  if (!config) throw ValueError("model config has no \"config\"");
  // Keras 2.0/2.1 stored the layer list directly as the config.
  const json* layer_list = config->is_array() ? config : member(*config, "layers");
  if (!layer_list || !layer_list->is_array())
    throw ValueError("model config has no \"layers\" list");
  if (layer_list->size() > kMaxLayers) throw ValueError("model config lists too many layers");

  ModelSpec spec;
  if (const json* n = member(*config, "name")) {
    if (!n->is_string()) throw ValueError("model config: \"name\" must be a string");
    spec.name = n->get<std::string>();
    check_name(spec.name, "model");
  }
  auto on_warning = [&options](const std::string& m) { warn(options, m); };
  for (size_t i = 0; i < layer_list->size(); ++i) {
    const json& entry = (*layer_list)[i];
    layers::LayerPtr layer;
    try {
      layer = layers::deserialize(entry, on_warning);
    } catch (...) {
      rethrow_with_context("model config, layer #" + std::to_string(i) + ": ");
    }
    if (auto* input = dynamic_cast<layers::InputLayer*>(layer.get())) {
      if (i != 0)
        throw ValueError("model config: an InputLayer can only be the first layer (found at #" +
                         std::to_string(i) + ")");
      spec.input_shape = input->shape();
      spec.input_name = input->name();
      continue;
    }
    if (spec.layers.empty() && !spec.input_shape) {
      // Keras 2.2/2.3: no InputLayer, the first layer carries batch_input_shape.
      if (const json* c = member(entry, "config"); c && c->is_object()) {
        const std::string first_class = entry["class_name"].get<std::string>();
        spec.input_shape = layers::LayerConfig(first_class, *c).input_shape();
        if (spec.input_shape) spec.input_name = layer->name() + "_input";
      }
    }
    spec.layers.push_back(std::move(layer));
  }
  if (spec.layers.empty()) throw ValueError("model config has no layers besides the input");
  // Where else Keras records the input shape once a model is built.
  if (!spec.input_shape) {
    if (const json* s = member(*config, "build_input_shape"))
      spec.input_shape = shape_from(*s, "build_input_shape");
  }
  if (!spec.input_shape) {
    if (const json* b = member(root, "build_config"); b && member(*b, "input_shape"))
      spec.input_shape = shape_from((*b)["input_shape"], "build_config");
  }
  if (!spec.input_shape) {
    const json& first = (*layer_list)[0];
    if (const json* b = member(first, "build_config"); b && member(*b, "input_shape"))
      spec.input_shape = shape_from((*b)["input_shape"], "build_config");
  }
  if (spec.input_shape) {
    Shape s = *spec.input_shape;
    for (size_t i = 0; i < spec.layers.size(); ++i) {
      try {
        spec.layers[i]->build(s);
      } catch (...) {
        rethrow_with_context("model config, layer '" + spec.layers[i]->name() + "' (#" +
                             std::to_string(i) + "): ");
      }
      s = spec.layers[i]->output_shape();
    }
    checked_param_count(spec, options.max_params);
  }
  return spec;
}

Sequential realize(ModelSpec spec) {
  Sequential model(spec.layers, spec.name);
  if (spec.input_shape) model.build(*spec.input_shape);
  return model;
}

}  // namespace detail

using detail::member;

// ---- writing ---------------------------------------------------------------------------------
namespace {

json shape_with_batch(const Shape& s) {
  json out = json::array({nullptr});
  for (int64_t d : s) out.push_back(d);
  return out;
}

std::string camel_case(const std::string& snake) {
  std::string out;
  bool up = true;
  for (char c : snake) {
    if (c == '_') {
      up = true;
      continue;
    }
    out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    up = false;
  }
  return out;
}

json loss_json(const losses::LossFunction& loss) {
  const json c = loss.get_config();
  if (!c.value("from_logits", false)) return loss.name();  // compile("adam", "<name>") form
  return {{"module", "keras.losses"},
          {"class_name", camel_case(loss.name())},
          {"config", c},
          {"registered_name", nullptr}};
}

}  // namespace

json model_to_config(const Sequential& model, ConfigStyle style) {
  detail::check_saveable(model, "model_to_config");
  const bool k3 = style == ConfigStyle::keras3;
  const Shape input = *model.input_shape();
  const std::string input_name = model.input_name().empty() ? "input_layer" : model.input_name();
  json input_config = {{"batch_shape", shape_with_batch(input)},
                       {"dtype", "float32"},
                       {"sparse", false},
                       {"name", input_name}};
  json layer_list = json::array();
  if (k3)
    layer_list.push_back({{"module", "keras.layers"},
                          {"class_name", "InputLayer"},
                          {"config", input_config},
                          {"registered_name", nullptr}});
  else
    layer_list.push_back({{"class_name", "InputLayer"}, {"config", input_config}});
  for (const auto& l : model.layers()) {
    if (k3)
      layer_list.push_back(layers::serialize(*l));
    else
      layer_list.push_back({{"class_name", l->class_name()}, {"config", l->get_config()}});
  }
  json config = {{"name", model.name()},
                 {"trainable", true},
                 {"dtype", "float32"},
                 {"layers", layer_list},
                 {"build_input_shape", shape_with_batch(input)}};
  if (!k3) return {{"class_name", "Sequential"}, {"config", config}};
  return {{"module", "keras"},
          {"class_name", "Sequential"},
          {"config", config},
          {"registered_name", nullptr},
          {"build_config", {{"input_shape", shape_with_batch(input)}}}};
}

json compile_config(const Sequential& model) {
  if (!model.compiled()) return nullptr;
  const auto& opt = model.optimizer();
  return {{"optimizer",
           {{"module", "keras.optimizers"},
            {"class_name", opt.class_name()},
            {"config", opt.get_config()},
            {"registered_name", nullptr}}},
          {"loss", loss_json(model.loss())},
          {"loss_weights", nullptr},
          {"metrics", model.metric_names()},
          {"weighted_metrics", nullptr},
          {"run_eagerly", false},
          {"steps_per_execution", 1},
          {"jit_compile", false}};
}

json training_config(const Sequential& model) {
  if (!model.compiled()) return nullptr;
  json c = compile_config(model);
  const json opt = c["optimizer"];
  c.erase("optimizer");
  c["optimizer_config"] = {{"class_name", opt["class_name"]}, {"config", opt["config"]}};
  return c;
}

// ---- reading ---------------------------------------------------------------------------------
Sequential model_from_config(const json& config, const LoadOptions& options) {
  return detail::realize(detail::parse_model_spec(config, options));
}

Sequential model_from_json(std::string_view text, const LoadOptions& options) {
  return model_from_config(detail::parse_json(text, "model JSON"), options);
}

namespace {

// Why a compile setting cannot be honoured; thrown inside compile_from_config only.
struct Unsupported {
  std::string why;
};

std::string strip_custom(std::string name) {
  if (auto p = name.rfind('>'); p != std::string::npos) name = name.substr(p + 1);  // "Custom>Adam"
  return name;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

float number(const json& cfg, const char* key, float fallback) {
  const json* v = member(cfg, key);
  if (!v) return fallback;
  if (!v->is_number() || !std::isfinite(v->get<double>()))
    throw Unsupported{std::string("optimizer setting \"") + key + "\" is not a plain number"};
  return v->get<float>();
}

void require_unset(const json& cfg, const char* key) {
  const json* v = member(cfg, key);
  if (v && !(v->is_boolean() && !v->get<bool>()) && !(v->is_number() && v->get<double>() == 0.0))
    throw Unsupported{std::string("optimizer setting \"") + key + "\" is not supported yet"};
}

optimizers::OptimizerPtr optimizer_from(const json& spec) {
  if (spec.is_string()) {
    try {
      return optimizers::get(spec.get<std::string>());
    } catch (const ValueError& e) {
      throw Unsupported{e.what()};
    }
  }
  const json* cls = member(spec, "class_name");
  if (!cls || !cls->is_string()) throw Unsupported{"the optimizer has no class name"};
  const std::string name = lower(strip_custom(cls->get<std::string>()));
  static const json empty = json::object();
  const json* cfg_ptr = member(spec, "config");
  const json& cfg = cfg_ptr && cfg_ptr->is_object() ? *cfg_ptr : empty;
  for (const char* key : {"weight_decay", "clipnorm", "clipvalue", "global_clipnorm", "use_ema",
                          "decay", "gradient_accumulation_steps", "loss_scale_factor", "amsgrad"})
    require_unset(cfg, key);
  const json* lr = member(cfg, "learning_rate") ? member(cfg, "learning_rate") : member(cfg, "lr");
  if (lr && !lr->is_number()) throw Unsupported{"learning-rate schedules are not supported yet"};
  if (name == "adam") {
    optimizers::Adam a;
    a.learning_rate = lr ? lr->get<float>() : a.learning_rate;
    a.beta_1 = number(cfg, "beta_1", a.beta_1);
    a.beta_2 = number(cfg, "beta_2", a.beta_2);
    a.epsilon = number(cfg, "epsilon", a.epsilon);
    try {
      return a.make();
    } catch (const ValueError& e) {
      throw Unsupported{e.what()};
    }
  }
  if (name == "sgd") {
    optimizers::SGD s;
    s.learning_rate = lr ? lr->get<float>() : s.learning_rate;
    s.momentum = number(cfg, "momentum", s.momentum);
    if (const json* n = member(cfg, "nesterov"); n && n->is_boolean()) s.nesterov = n->get<bool>();
    try {
      return s.make();
    } catch (const ValueError& e) {
      throw Unsupported{e.what()};
    }
  }
  throw Unsupported{"optimizer " + cls->get<std::string>().substr(0, 60) +
                    " is not supported yet (kerascpp has Adam and SGD)"};
}

losses::LossPtr loss_from(const json& spec) {
  std::string name;
  bool from_logits = false;
  if (spec.is_string()) {
    name = spec.get<std::string>();
  } else if (const json* cls = member(spec, "class_name"); cls && cls->is_string()) {
    name = strip_custom(cls->get<std::string>());
    const json* cfg = member(spec, "config");
    if (name == "function" && cfg && cfg->is_string()) {
      name = cfg->get<std::string>();
    } else if (cfg && cfg->is_object()) {
      if (const json* f = member(*cfg, "from_logits"); f && f->is_boolean())
        from_logits = f->get<bool>();
      if (const json* r = member(*cfg, "reduction"); r && r->is_string() &&
                                                     r->get<std::string>() != "auto" &&
                                                     r->get<std::string>() != "sum_over_batch_size")
        throw Unsupported{"loss reduction \"" + r->get<std::string>().substr(0, 40) +
                          "\" is not supported yet"};
      if (const json* s = member(*cfg, "label_smoothing");
          s && s->is_number() && s->get<double>() != 0.0)
        throw Unsupported{"label smoothing is not supported yet"};
    }
  } else {
    throw Unsupported{"only a single loss is supported"};
  }
  try {
    losses::LossPtr base = losses::get(name);
    if (!from_logits) return base;
    if (base->name() == "sparse_categorical_crossentropy")
      return losses::SparseCategoricalCrossentropy{.from_logits = true}.make();
    if (base->name() == "categorical_crossentropy")
      return losses::CategoricalCrossentropy{.from_logits = true}.make();
    throw Unsupported{"loss " + name + " with from_logits is not supported"};
  } catch (const ValueError&) {
    throw Unsupported{"loss \"" + name.substr(0, 60) + "\" is not supported yet"};
  }
}

std::string snake_case(const std::string& s) {
  return layers::to_snake_case(s);
}

void collect_metrics(const json& spec, std::vector<std::string>& out, int depth) {
  if (spec.is_null()) return;
  if (spec.is_array() && depth < 2) {
    for (const auto& m : spec) collect_metrics(m, out, depth + 1);
    return;
  }
  std::vector<std::string> candidates;
  if (spec.is_string()) {
    candidates.push_back(spec.get<std::string>());
  } else if (spec.is_object()) {
    const json* cfg = member(spec, "config");
    if (cfg && cfg->is_object() && member(*cfg, "name") && (*cfg)["name"].is_string())
      candidates.push_back((*cfg)["name"].get<std::string>());
    if (cfg && cfg->is_object() && member(*cfg, "fn") && (*cfg)["fn"].is_string())
      candidates.push_back((*cfg)["fn"].get<std::string>());
    if (const json* cls = member(spec, "class_name"); cls && cls->is_string())
      candidates.push_back(snake_case(strip_custom(cls->get<std::string>())));
  }
  for (const auto& c : candidates) {
    try {
      metrics::get(c);
      out.push_back(c);
      return;
    } catch (const ValueError&) {
    }
  }
  throw Unsupported{
      "metric " +
      (candidates.empty() ? std::string("(unnamed)") : candidates.front().substr(0, 60)) +
      " is not supported yet"};
}

}  // namespace

bool compile_from_config(Sequential& model, const json& config, bool legacy,
                         const LoadOptions& options) {
  const char* what = legacy ? "training_config" : "compile_config";
  try {
    if (!config.is_object()) throw Unsupported{std::string(what) + " is not a JSON object"};
    const json* opt = member(config, legacy ? "optimizer_config" : "optimizer");
    if (!opt) throw Unsupported{"no optimizer is recorded"};
    const json* loss = member(config, "loss");
    if (!loss) throw Unsupported{"no loss is recorded"};
    if (const json* w = member(config, "loss_weights"); w && !(w->is_array() && w->size() <= 1))
      throw Unsupported{"loss weights are not supported yet"};
    std::vector<std::string> metric_names;
    if (const json* m = member(config, "metrics")) collect_metrics(*m, metric_names, 0);
    auto optimizer = optimizer_from(*opt);
    auto loss_fn = loss_from(*loss);
    model.compile(optimizer, loss_fn, metric_names);
    return true;
  } catch (const Unsupported& u) {
    detail::warn(options, "the model was loaded but not compiled: " + u.why +
                              ". Call compile() yourself before training or evaluating");
    return false;
  }
}

}  // namespace keras::io
