#include "keras/io/keras_archive.hpp"

#include <algorithm>
#include <ctime>

#include "io/common.hpp"
#include "io/hdf5.hpp"
#include "io/weights.hpp"
#include "keras/core/error.hpp"
#include "keras/io/weights_h5.hpp"
#include "keras/io/zip.hpp"

namespace keras::io {

using nlohmann::json;

namespace {

constexpr uint64_t kMaxJsonBytes = uint64_t(64) << 20;

std::string now_keras_style() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d@%H:%M:%S", &tm);
  return buf;
}

// Only plain top-level names: a .keras file holds metadata.json, config.json and
// model.weights.h5; anything with a directory part (assets/, ../) is refused, never extracted.
void check_entries(const ZipReader& zip, const LoadOptions& options) {
  for (const auto& e : zip.entries()) {
    const std::string& n = e.name;
    if (!is_plain_entry_name(n))
      throw IOError(
          "entry '" + n.substr(0, 100) +
          "' has a path component; a .keras file kerascpp can load holds only config.json, "
          "metadata.json and model.weights.h5 (assets are not supported)");
    if (n != "config.json" && n != "metadata.json" && n != "model.weights.h5") {
      if (n == "model.weights.npz")
        throw NotImplementedError(
            "weights stored as model.weights.npz are not supported; save with .h5 weights");
      detail::warn(options, "ignoring unknown entry '" + n.substr(0, 100) + "'");
    }
  }
  for (const char* required : {"config.json", "model.weights.h5"})
    if (!zip.find(required))
      throw IOError(std::string("the archive has no ") + required + ": not a Keras 3 .keras file");
}

Sequential load_archive(const ZipReader& zip, const LoadOptions& options) {
  check_entries(zip, options);
  const json config = detail::parse_json(zip.read("config.json", kMaxJsonBytes), "config.json");
  detail::ModelSpec spec = detail::parse_model_spec(config, options);
  if (!spec.input_shape)
    throw ValueError(
        "config.json gives no input shape (no InputLayer, batch_shape or build_config), so the "
        "weights cannot be placed");
  // Weights beyond what the architecture can hold are refused before they are read.
  const uint64_t max_h5 = static_cast<uint64_t>(options.max_params) * 8 + (uint64_t(64) << 20);
  h5::Session session;
  std::string bytes = zip.read("model.weights.h5", max_h5);
  h5::File file = h5::File::open_image(bytes, "model.weights.h5");
  std::string().swap(bytes);  // HDF5 holds its own copy
  const auto plan = detail::plan_keras3(file, spec.layers);
  Sequential model = detail::realize(std::move(spec));
  detail::read_plan(plan, model.layers());
  if (options.compile) {
    auto cc = config.find("compile_config");
    if (cc != config.end() && !cc->is_null() && compile_from_config(model, *cc, false, options))
      detail::load_keras3_optimizer(file, model, options);
  }
  return model;
}

}  // namespace

std::string keras_archive_bytes(const Sequential& model) {
  detail::check_saveable(model, "save");
  json config = model_to_config(model, ConfigStyle::keras3);
  if (model.compiled()) config["compile_config"] = compile_config(model);
  const json metadata = {{"keras_version", detail::kKerasVersion},
                         {"date_saved", now_keras_style()}};
  ZipWriter zip;  // Keras's order and timestamps; every entry stored
  zip.add("metadata.json", metadata.dump(), {.mtime = zip_epoch()});
  zip.add("config.json", config.dump(), {.mtime = zip_epoch()});
  zip.add("model.weights.h5", weights_h5_bytes(model));
  return zip.finish();
}

void save_keras(const Sequential& model, const std::filesystem::path& path) {
  detail::save_bytes(path, [&] { return keras_archive_bytes(model); });
}

Sequential load_keras(const std::filesystem::path& path, const LoadOptions& options) {
  try {
    return load_archive(ZipReader::open(path), options);
  } catch (...) {
    detail::rethrow_with_context("cannot load '" + path.string() + "': ");
  }
}

Sequential load_keras_bytes(std::string bytes, const LoadOptions& options,
                            const std::string& origin) {
  try {
    return load_archive(ZipReader::from_bytes(std::move(bytes), origin), options);
  } catch (...) {
    detail::rethrow_with_context("cannot load '" + origin + "': ");
  }
}

namespace detail {
// For load_weights on a .keras file: its weights file, opened in memory.
h5::File open_archive_weights(const std::filesystem::path& path) {
  ZipReader zip = ZipReader::open(path);
  check_entries(zip, LoadOptions{.on_warning = [](const std::string&) {}});
  std::string bytes = zip.read("model.weights.h5", uint64_t(1) << 40);
  return h5::File::open_image(bytes, "model.weights.h5");
}
}  // namespace detail

}  // namespace keras::io
