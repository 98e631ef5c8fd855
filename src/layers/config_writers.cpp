#include "config_writers.hpp"

namespace keras::layers::config {

using nlohmann::json;

json serialize(initializers::Kind kind) {
  const bool random = kind != initializers::Kind::zeros && kind != initializers::Kind::ones;
  return {{"module", "keras.initializers"},
          {"class_name", initializers::class_name(kind)},
          {"config", random ? json{{"seed", nullptr}} : json::object()},
          {"registered_name", nullptr}};
}

json to_json(Size2 s) {
  return json::array({s.h, s.w});
}

}  // namespace keras::layers::config
