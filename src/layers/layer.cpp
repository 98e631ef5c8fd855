#include "keras/layers/layer.hpp"

#include <cctype>
#include <map>
#include <mutex>

#include "keras/core/error.hpp"

namespace keras {
namespace {
struct NameCounters {
  std::mutex mutex;
  std::map<std::string, int, std::less<>> counts;
};
NameCounters& counters() {
  static NameCounters c;
  return c;
}
}  // namespace

void backend::clear_session() {
  std::lock_guard lock(counters().mutex);
  counters().counts.clear();
}

namespace layers {

std::string unique_name(std::string_view prefix) {
  std::lock_guard lock(counters().mutex);
  int& n = counters().counts[std::string(prefix)];
  std::string name = n == 0 ? std::string(prefix) : std::string(prefix) + "_" + std::to_string(n);
  ++n;
  return name;
}

std::string to_snake_case(std::string_view name) {
  // Keras: re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name) then re.sub("([a-z])([A-Z])", r"\1_\2").
  std::string step1;
  for (size_t i = 0; i < name.size(); ++i) {
    if (i > 0 && std::isupper(static_cast<unsigned char>(name[i])) && i + 1 < name.size() &&
        std::islower(static_cast<unsigned char>(name[i + 1])))
      step1 += '_';
    step1 += name[i];
  }
  std::string out;
  for (size_t i = 0; i < step1.size(); ++i) {
    if (i > 0 && std::isupper(static_cast<unsigned char>(step1[i])) &&
        std::islower(static_cast<unsigned char>(step1[i - 1])))
      out += '_';
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(step1[i])));
  }
  return out;
}

Layer::Layer(std::string_view prefix, std::string name, std::optional<Shape> input_shape)
    : name_(name.empty() ? unique_name(prefix) : std::move(name)),
      declared_input_shape_(std::move(input_shape)) {}

void Layer::build(const Shape& input_shape) {
  if (built_ && input_shape == input_shape_) return;
  output_shape_ = compute_output_shape(input_shape);
  input_shape_ = input_shape;
  built_ = true;
  on_build();
}

void Layer::bind(std::span<Variable> variables) {
  variables_.assign(variables.begin(), variables.end());
}

int64_t Layer::count_params() const {
  int64_t n = 0;
  for (const auto& spec : weight_specs()) n += spec.shape.size();
  return n;
}

void Layer::backward_preactivation(const float*, const float*, const float*, float*, int64_t) {
  throw NotImplementedError("Layer '" + name_ + "' (" + class_name() +
                            ") has no fused pre-activation backward pass");
}

nlohmann::json Layer::get_config() const {
  return {{"name", name_}, {"trainable", true}, {"dtype", "float32"}};
}

void Layer::initialize_weights(random::Generator& gen) {
  const auto specs = weight_specs();
  for (size_t i = 0; i < specs.size() && i < variables_.size(); ++i)
    initializers::initialize(specs[i].initializer, specs[i].shape, variables_[i].values(), gen);
}

}  // namespace layers
}  // namespace keras
