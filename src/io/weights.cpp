#include "io/weights.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "io/common.hpp"
#include "keras/core/error.hpp"

namespace keras::io::detail {

namespace {

std::string describe(const layers::Layer& layer, size_t index) {
  return "layer '" + layer.name() + "' (" + layer.class_name() + ", #" + std::to_string(index) +
         ")";
}

std::string list_names(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < 20; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > 20) out += ", ...";
  return out.empty() ? "none" : out;
}

std::string expected_list(const layers::Layer& layer) {
  std::string out;
  const auto specs = layer.weight_specs();
  for (size_t i : keras_variable_order(layer))
    out += (out.empty() ? "" : ", ") + specs[i].name + " " + specs[i].shape.str();
  return out.empty() ? "none" : out;
}

// Checks the datasets of one layer, in Keras order, against the layer's variables.
std::vector<h5::Dataset> check_layer(std::vector<h5::Dataset> found, const layers::Layer& layer,
                                     size_t index, const std::string& location) {
  const auto specs = layer.weight_specs();
  if (found.size() != specs.size())
    throw ValueError(describe(layer, index) + " expects " + std::to_string(specs.size()) +
                     " weights (" + expected_list(layer) + ") but the file has " +
                     std::to_string(found.size()) + " at " + location);
  const auto order = keras_variable_order(layer);
  for (size_t j = 0; j < found.size(); ++j)
    found[j].check_float_array(specs[order[j]].shape,
                               "weight '" + layer.name() + "/" + specs[order[j]].name + "'");
  return found;
}

bool has_weights(const layers::Layer& l) {
  return !l.weight_specs().empty();
}

// Variables of a Keras 3 "vars" group: datasets named 0..n-1, nothing else.
std::vector<h5::Dataset> numbered_datasets(const h5::Group& vars) {
  const auto names = vars.children();
  std::vector<h5::Dataset> out;
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string key = std::to_string(i);
    if (std::find(names.begin(), names.end(), key) == names.end())
      throw IOError("group '" + vars.path() + "' should hold datasets named 0.." +
                    std::to_string(names.size() - 1) + " but holds: " + list_names(names));
    out.push_back(vars.dataset(key));
  }
  return out;
}

}  // namespace

// ---- Keras 3 layout ----------------------------------------------------------------------------
WeightPlan plan_keras3(const h5::Group& root, const std::vector<layers::LayerPtr>& layers) {
  auto layers_group = root.find_group("layers");
  if (!layers_group)
    layers_group = root.find_group("_layer_checkpoint_dependencies");  // tf.keras 2.13-2.15
  const bool any_weights =
      std::any_of(layers.begin(), layers.end(), [](const auto& l) { return has_weights(*l); });
  if (!layers_group && any_weights)
    throw IOError("the file has no 'layers' group, so it is not in the Keras 3 weights layout");
  if (auto own = root.find_group("vars"); own && !own->children().empty())
    throw ValueError(
        "the file holds weights of the model itself (/vars), which a Sequential model does not "
        "have");
  const auto paths = keras3_layer_paths(layers);
  WeightPlan plan(layers.size());
  std::set<std::string> used(paths.begin(), paths.end());
  for (size_t i = 0; i < layers.size(); ++i) {
    auto vars = layers_group ? layers_group->find_group(paths[i] + "/vars") : std::nullopt;
    if (!vars) {
      if (!has_weights(*layers[i])) continue;  // Keras < 3.6 style files may omit empty groups
      throw ValueError("the weights of " + describe(*layers[i], i) +
                       " are missing: no group 'layers/" + paths[i] +
                       "/vars' (Keras names it by class and position). The file has: " +
                       list_names(layers_group->children()));
    }
    plan[i] = check_layer(numbered_datasets(*vars), *layers[i], i, vars->path());
  }
  if (layers_group)
    for (const auto& name : layers_group->children()) {
      if (used.count(name)) continue;
      auto vars = layers_group->find_group(name + "/vars");
      if (vars && !vars->children().empty())
        throw ValueError("the file has weights for layer group '" + name +
                         "', which this model does not have: the model has " +
                         std::to_string(layers.size()) +
                         " layers. Build the same architecture as the saved model");
    }
  return plan;
}

void read_plan(const WeightPlan& plan, const std::vector<layers::LayerPtr>& layers) {
  // Read everything first, then copy: a failing read leaves the model as it was.
  std::vector<std::pair<std::span<float>, std::vector<float>>> staged;
  for (size_t i = 0; i < layers.size(); ++i) {
    if (plan[i].empty()) continue;
    const auto& vars = layers[i]->variables();
    const auto order = keras_variable_order(*layers[i]);
    for (size_t j = 0; j < plan[i].size(); ++j) {
      std::span<float> dst = vars[order[j]].values();
      std::vector<float> values(dst.size());
      plan[i][j].read(values);
      staged.emplace_back(dst, std::move(values));
    }
  }
  for (auto& [dst, values] : staged) std::copy(values.begin(), values.end(), dst.begin());
}

void write_keras3(h5::Group& root, const Sequential& model) {
  root.create_group("vars").write_string_attribute("name", model.name(), h5::Charset::utf8);
  const auto paths = keras3_layer_paths(model.layers());
  for (size_t i = 0; i < model.layers().size(); ++i) {
    const auto& layer = *model.layers()[i];
    h5::Group vars = root.create_group("layers/" + paths[i] + "/vars");
    vars.write_string_attribute("name", layer.name(), h5::Charset::utf8);
    const auto order = keras_variable_order(layer);
    for (size_t j = 0; j < order.size(); ++j) {
      const auto& v = layer.variables()[order[j]];
      vars.write_dataset(std::to_string(j), v.shape, v.value);
    }
  }
  if (!model.compiled()) return;
  const auto& opt = model.optimizer();
  h5::Group vars = root.create_group("optimizer/vars");
  vars.write_string_attribute("name", opt.name(), h5::Charset::utf8);
  vars.write_scalar("0", static_cast<int64_t>(opt.iterations()));
  vars.write_scalar("1", opt.learning_rate());
  if (!opt.built()) return;  // Keras saves only iteration and learning_rate before training
  const float* base = model.trainable_buffer().data();
  size_t next = 2;
  for (const auto& v : model.variables()) {
    if (!v.trainable) continue;
    for (size_t s = 0; s < opt.slot_names().size(); ++s)
      vars.write_dataset(std::to_string(next++), v.shape, opt.slot(s).data() + (v.value - base));
  }
}

// ---- legacy layout -----------------------------------------------------------------------------
WeightPlan plan_legacy(const h5::Group& weights, const std::vector<layers::LayerPtr>& layers) {
  auto layer_names = weights.string_list_attribute("layer_names");
  if (!layer_names)
    throw IOError("group '" + weights.path() +
                  "' has no 'layer_names' attribute: not a Keras weights file");
  // As Keras: layers without weights are skipped on both sides, the rest match by position.
  struct Saved {
    std::string name;
    h5::Group group;
    std::vector<std::string> weight_names;
  };
  std::vector<Saved> saved;
  for (const auto& name : *layer_names) {
    auto g = weights.find_group(name);
    if (!g) throw IOError("layer_names lists '" + name + "' but the file has no such group");
    auto wn = g->string_list_attribute("weight_names");
    if (wn && !wn->empty()) saved.push_back({name, std::move(*g), std::move(*wn)});
  }
  std::vector<size_t> weighted;
  for (size_t i = 0; i < layers.size(); ++i)
    if (has_weights(*layers[i])) weighted.push_back(i);
  if (saved.size() != weighted.size()) {
    std::vector<std::string> saved_names, model_names;
    for (const auto& s : saved) saved_names.push_back(s.name);
    for (size_t i : weighted) model_names.push_back(layers[i]->name());
    throw ValueError("layer count mismatch: the model has " + std::to_string(weighted.size()) +
                     " layers with weights (" + list_names(model_names) + ") but the file has " +
                     std::to_string(saved.size()) + " (" + list_names(saved_names) +
                     "). Build the same architecture as the saved model");
  }
  WeightPlan plan(layers.size());
  for (size_t k = 0; k < saved.size(); ++k) {
    std::vector<h5::Dataset> found;
    for (const auto& wn : saved[k].weight_names) found.push_back(saved[k].group.dataset(wn));
    plan[weighted[k]] =
        check_layer(std::move(found), *layers[weighted[k]], weighted[k], saved[k].group.path());
  }
  if (auto top = weights.find_group("top_level_model_weights")) {
    auto wn = top->string_list_attribute("weight_names");
    if (wn && !wn->empty())
      throw ValueError(
          "the file holds top-level weights of the model, which a Sequential model does not have");
  }
  return plan;
}

void write_legacy_weights(h5::Group& group, const Sequential& model) {
  std::vector<std::string> names;
  for (const auto& l : model.layers()) names.push_back(l->name());
  group.write_string_list_attribute("layer_names", names);
  group.write_string_attribute("backend", kBackend, h5::Charset::ascii);
  group.write_string_attribute("keras_version", kKerasVersion, h5::Charset::ascii);
  // Keras creates the layer groups in name order.
  std::vector<layers::LayerPtr> sorted = model.layers();
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a->name() < b->name(); });
  for (const auto& l : sorted) {
    h5::Group g = group.create_group(l->name());
    std::vector<std::string> weight_names;
    const auto specs = l->weight_specs();
    const auto order = keras_variable_order(*l);
    for (size_t i : order)
      weight_names.push_back(model.name() + "/" + l->name() + "/" + specs[i].name);
    g.write_string_list_attribute("weight_names", weight_names);
    for (size_t j = 0; j < order.size(); ++j) {
      const auto& v = l->variables()[order[j]];
      g.write_dataset(weight_names[j], v.shape, v.value);
    }
  }
  group.create_group("top_level_model_weights").write_string_list_attribute("weight_names", {});
}

void write_legacy_optimizer(h5::Group& root, const Sequential& model) {
  if (!model.compiled()) return;
  const auto& opt = model.optimizer();
  const std::string prefix = opt.name() + "/";
  std::vector<std::string> names{prefix + "iteration", prefix + "learning_rate"};
  const float* base = model.trainable_buffer().data();
  struct Slot {
    std::string name;
    Shape shape;
    const float* data;
  };
  std::vector<Slot> slots;
  if (opt.built()) {
    for (const auto& l : model.layers()) {
      const auto& vars = l->variables();
      for (size_t i : keras_variable_order(*l)) {
        const auto& v = vars[i];
        if (!v.trainable) continue;
        for (size_t s = 0; s < opt.slot_names().size(); ++s) {
          // Keras 3: "<model>_<layer>_<var>_<slot>" under the optimizer's name.
          slots.push_back(
              {prefix + model.name() + "_" + l->name() + "_" + v.name + "_" + opt.slot_names()[s],
               v.shape, opt.slot(s).data() + (v.value - base)});
          names.push_back(slots.back().name);
        }
      }
    }
  }
  h5::Group g = root.create_group("optimizer_weights");
  g.write_string_list_attribute("weight_names", names);
  g.write_scalar(names[0], static_cast<int64_t>(opt.iterations()));
  g.write_scalar(names[1], opt.learning_rate());
  for (const auto& s : slots) g.write_dataset(s.name, s.shape, s.data);
}

// ---- optimizer state ---------------------------------------------------------------------------
namespace {

void restore_optimizer(const std::vector<h5::Dataset>& saved, Sequential& model,
                       const LoadOptions& options) {
  if (!model.compiled()) return;
  auto& opt = model.optimizer();
  std::vector<layers::Variable> trainable;
  for (const auto& l : model.layers()) {
    const auto& vars = l->variables();
    for (size_t i : keras_variable_order(*l))
      if (vars[i].trainable) trainable.push_back(vars[i]);
  }
  const size_t k = opt.slot_names().size(), n = trainable.size();
  auto skip = [&](const std::string& why) {
    warn(options, "Skipping variable loading for optimizer '" + opt.name() + "': " + why +
                      ". The optimizer starts fresh (training resumes without its momentum)");
  };
  size_t first_slot;
  bool has_lr;
  if (saved.size() == 2 + k * n || (saved.size() == 2 && !opt.built())) {
    first_slot = 2;  // Keras 3: iteration, learning_rate, slots
    has_lr = true;
  } else if (k * n > 0 && saved.size() == 1 + k * n && saved[0].is_integer()) {
    first_slot = 1;  // tf.keras 2.11+: iteration, slots
    has_lr = false;
  } else {
    skip("it has " + std::to_string(2 + k * n) + " variables whereas the saved optimizer has " +
         std::to_string(saved.size()));
    return;
  }
  const bool has_slots = saved.size() > first_slot;
  for (size_t i = 0; has_slots && i < n * k; ++i) {
    const auto& d = saved[first_slot + i];
    if (!d.is_float() || d.shape() != trainable[i / k].shape) {
      skip("saved variable " + d.path() + " has shape " + d.shape().str() + ", expected " +
           trainable[i / k].shape.str());
      return;
    }
    d.check_float_array(trainable[i / k].shape, "optimizer variable " + d.path());
  }
  const double iterations = saved[0].read_scalar();
  if (!(iterations >= 0 && iterations <= 9007199254740992.0) ||
      iterations != std::floor(iterations)) {
    skip("the saved iteration count is not a valid integer");
    return;
  }
  const double lr = has_lr ? saved[1].read_scalar() : opt.learning_rate();
  if (!(std::isfinite(lr) && lr > 0)) {
    skip("the saved learning rate is not a positive number");
    return;
  }
  if (has_slots) {
    opt.build(static_cast<int64_t>(model.trainable_buffer().size()));
    const float* base = model.trainable_buffer().data();
    for (size_t i = 0; i < n * k; ++i) {
      const auto& v = trainable[i / k];
      saved[first_slot + i].read(
          opt.slot(i % k).subspan(static_cast<size_t>(v.value - base), v.values().size()));
    }
  }
  opt.set_iterations(static_cast<int64_t>(iterations));
  opt.set_learning_rate(static_cast<float>(lr));
}

}  // namespace

void load_keras3_optimizer(const h5::Group& root, Sequential& model, const LoadOptions& options) {
  if (!model.compiled()) return;
  auto vars = root.find_group("optimizer/vars");
  if (!vars) return;  // saved uncompiled: nothing to restore
  restore_optimizer(numbered_datasets(*vars), model, options);
}

void load_legacy_optimizer(const h5::Group& root, Sequential& model, const LoadOptions& options) {
  if (!model.compiled()) return;
  auto g = root.find_group("optimizer_weights");
  if (!g) return;
  auto names = g->string_list_attribute("weight_names");
  if (!names) return;
  std::vector<h5::Dataset> saved;
  for (const auto& n : *names) saved.push_back(g->dataset(n));
  restore_optimizer(saved, model, options);
}

}  // namespace keras::io::detail
