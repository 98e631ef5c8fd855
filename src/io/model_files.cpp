// The entry points users call: Sequential::save / save_weights / load_weights, load_model and
// load_weights from any Keras file. They pick the format (by extension when writing, by
// content when reading) and forward to keras/io.
#include <string>

#include "io/common.hpp"
#include "io/hdf5.hpp"
#include "io/weights.hpp"
#include "keras/core/error.hpp"
#include "keras/io/atomic_file.hpp"
#include "keras/io/keras_archive.hpp"
#include "keras/io/legacy_h5.hpp"
#include "keras/io/weights_h5.hpp"
#include "keras/models/load_model.hpp"

namespace keras {

namespace io {

namespace detail {
h5::File open_archive_weights(const std::filesystem::path& path);  // keras_archive.cpp
}  // namespace detail

namespace {

enum class Kind { zip, hdf5, other };

Kind sniff(const std::filesystem::path& path) {
  const std::string head = read_file_head(path, 2056);
  if (head.size() >= 4 && head.compare(0, 4, "PK\x03\x04") == 0) return Kind::zip;
  if (h5::has_signature(head)) return Kind::hdf5;
  return Kind::other;
}

[[noreturn]] void unknown_format(const std::filesystem::path& path) {
  throw IOError("'" + path.string() + "' is neither a .keras archive (zip) nor an HDF5 (.h5) file");
}

}  // namespace

std::string weights_h5_bytes(const Sequential& model) {
  detail::check_saveable(model, "save_weights");
  h5::Session session;
  h5::File file = h5::File::create_in_memory();
  detail::write_keras3(file, model);
  return file.image();
}

void save_weights_h5(const Sequential& model, const std::filesystem::path& path) {
  try {
    write_file_atomically(path, weights_h5_bytes(model));
  } catch (...) {
    detail::rethrow_with_context("cannot save '" + path.string() + "': ");
  }
}

void load_weights(Sequential& model, const std::filesystem::path& path,
                  const LoadOptions& options) {
  try {
    if (!model.built())
      throw ValueError(
          "model '" + model.name() +
          "' is not built, so it has no weights to load into. Give the first layer an input "
          "shape or call build(shape) first");
    const Kind kind = sniff(path);
    if (kind == Kind::other) unknown_format(path);
    h5::Session session;
    h5::File file = kind == Kind::zip ? detail::open_archive_weights(path) : h5::File::open(path);
    const auto& layers = model.layers();
    if (file.find_group("layers") || file.find_group("_layer_checkpoint_dependencies") ||
        file.find_group("vars")) {
      const auto plan = detail::plan_keras3(file, layers);
      detail::read_plan(plan, layers);
      detail::load_keras3_optimizer(file, model, options);
    } else if (file.has_attribute("layer_names")) {  // legacy weights-only
      const auto plan = detail::plan_legacy(file, layers);
      detail::read_plan(plan, layers);
    } else if (auto weights = file.find_group("model_weights")) {  // legacy full model
      const auto plan = detail::plan_legacy(*weights, layers);
      detail::read_plan(plan, layers);
      detail::load_legacy_optimizer(file, model, options);
    } else {
      throw IOError(
          "the file holds no Keras weights (no 'layers' group, 'layer_names' attribute or "
          "'model_weights' group)");
    }
  } catch (...) {
    detail::rethrow_with_context("cannot load weights from '" + path.string() + "': ");
  }
}

}  // namespace io

// ---- Sequential members (declared in models/sequential.hpp) -------------------------------------
namespace models {

void Sequential::save(const std::filesystem::path& path) const {
  const std::string p = path.string();
  if (p.ends_with(".weights.h5"))
    throw ValueError("save('" + p +
                     "'): a .weights.h5 file holds weights only; use save_weights('" + p +
                     "'), or a .keras path to save the whole model");
  if (p.ends_with(".keras")) return io::save_keras(*this, path);
  if (p.ends_with(".h5") || p.ends_with(".hdf5")) return io::save_legacy_h5(*this, path);
  throw ValueError("save('" + p +
                   "'): unknown file extension. Use '.keras' for the Keras 3 native format "
                   "(recommended) or '.h5' for the legacy HDF5 format");
}

void Sequential::save_weights(const std::filesystem::path& path) const {
  const std::string p = path.string();
  if (p.ends_with(".weights.h5")) return io::save_weights_h5(*this, path);
  if (p.ends_with(".h5") || p.ends_with(".hdf5")) return io::save_legacy_weights(*this, path);
  throw ValueError("save_weights('" + p +
                   "'): the file name must end in '.weights.h5' (or '.h5' for the legacy "
                   "layout); to save the whole model use save('" +
                   p + "') with a .keras path");
}

void Sequential::load_weights(const std::filesystem::path& path) {
  io::load_weights(*this, path);
}

Sequential load_model(const std::filesystem::path& path, const LoadOptions& options) {
  io::Kind kind;
  try {
    kind = io::sniff(path);
  } catch (...) {
    io::detail::rethrow_with_context("cannot load '" + path.string() + "': ");
  }
  if (kind == io::Kind::zip) return io::load_keras(path, options);
  if (kind == io::Kind::hdf5) return io::load_legacy_h5(path, options);
  io::unknown_format(path);
}

Sequential model_from_json(std::string_view json_text, const LoadOptions& options) {
  return io::model_from_json(json_text, options);
}

}  // namespace models
}  // namespace keras
