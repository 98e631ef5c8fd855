#include "keras/io/legacy_h5.hpp"

#include "io/common.hpp"
#include "io/hdf5.hpp"
#include "io/weights.hpp"
#include "keras/core/error.hpp"
#include "keras/io/atomic_file.hpp"

namespace keras::io {

using nlohmann::json;

namespace {

template <class Fill>
std::string build_file(Fill&& fill) {
  h5::Session session;
  h5::File file = h5::File::create_in_memory();
  fill(file);
  return file.image();
}

template <class F>
void with_context(const std::string& prefix, F&& f) {
  try {
    f();
  } catch (...) {
    detail::rethrow_with_context(prefix);
  }
}

}  // namespace

void save_legacy_h5(const Sequential& model, const std::filesystem::path& path) {
  with_context("cannot save '" + path.string() + "': ", [&] {
    detail::check_saveable(model, "save");
    const std::string model_config = model_to_config(model, ConfigStyle::legacy).dump();
    const std::string bytes = build_file([&](h5::File& f) {
      // As Keras 3: str attributes are UTF-8, the JSON (encoded bytes) ASCII-flagged.
      f.write_string_attribute("backend", detail::kBackend, h5::Charset::utf8);
      f.write_string_attribute("keras_version", detail::kKerasVersion, h5::Charset::utf8);
      f.write_string_attribute("model_config", model_config, h5::Charset::ascii);
      if (model.compiled())
        f.write_string_attribute("training_config", training_config(model).dump(),
                                 h5::Charset::ascii);
      h5::Group weights = f.create_group("model_weights");
      detail::write_legacy_weights(weights, model);
      detail::write_legacy_optimizer(f, model);
    });
    write_file_atomically(path, bytes);
  });
}

void save_legacy_weights(const Sequential& model, const std::filesystem::path& path) {
  with_context("cannot save '" + path.string() + "': ", [&] {
    detail::check_saveable(model, "save_weights");
    const std::string bytes =
        build_file([&](h5::File& f) { detail::write_legacy_weights(f, model); });
    write_file_atomically(path, bytes);
  });
}

Sequential load_legacy_h5(const std::filesystem::path& path, const LoadOptions& options) {
  try {
    h5::Session session;
    h5::File file = h5::File::open(path);
    auto model_config = file.string_attribute("model_config");
    if (!model_config)
      throw ValueError(
          "no model_config attribute: this is a weights-only file. Build the model in C++ and call "
          "model.load_weights(path)");
    detail::ModelSpec spec =
        detail::parse_model_spec(detail::parse_json(*model_config, "model_config"), options);
    if (!spec.input_shape)
      throw ValueError("model_config gives no input shape, so the weights cannot be placed");
    const auto plan = detail::plan_legacy(file.group("model_weights"), spec.layers);
    Sequential model = detail::realize(std::move(spec));
    detail::read_plan(plan, model.layers());
    if (options.compile) {
      if (auto tc = file.string_attribute("training_config")) {
        if (compile_from_config(model, detail::parse_json(*tc, "training_config"), true, options))
          detail::load_legacy_optimizer(file, model, options);
      } else {
        detail::warn(options,
                     "no training configuration in the file, so the model was not compiled");
      }
    }
    return model;
  } catch (...) {
    detail::rethrow_with_context("cannot load '" + path.string() + "': ");
  }
}

}  // namespace keras::io
