// Internal: a small, defensive C++ layer over the HDF5 C API for the Keras formats.
//
// - Every entry point into this file runs under a Session: one process-wide lock (the Debian
//   HDF5 build is not thread-safe) and HDF5's own error printing switched off; failures become
//   keras::IOError with HDF5's innermost message.
// - Paths are walked one hard link at a time: soft and external links, "." and "..", virtual and
//   external datasets are refused, so a file can never make us open another file.
// - Datasets are checked (type, shape, allocated storage) before any data is read, so a
//   declared size never turns into an allocation; the caller reads into its own buffers.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "keras/tensor/shape.hpp"

namespace keras::io::h5 {

/// Holds the HDF5 lock and silences HDF5's stderr error stack while alive. Nestable.
class Session {
 public:
  Session();
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

 private:
  std::unique_lock<std::recursive_mutex> lock_;
  H5E_auto2_t saved_func_ = nullptr;
  void* saved_data_ = nullptr;
};

/// An owned hid_t.
class Id {
 public:
  Id() = default;
  Id(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  Id(Id&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
  Id& operator=(Id&& o) noexcept;
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  ~Id();
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }

 private:
  hid_t id_ = -1;
  herr_t (*close_)(hid_t) = nullptr;
};

enum class Charset { ascii, utf8 };

class Dataset {
 public:
  Dataset(Id id, std::string path) : id_(std::move(id)), path_(std::move(path)) {}
  const std::string& path() const { return path_; }
  Shape shape() const;
  bool is_float() const;
  bool is_integer() const;
  /// Checks a float dataset of exactly this shape, whose data is all present in the file.
  void check_float_array(const Shape& expected, const std::string& what) const;
  /// Reads all values (after check_float_array) into `out` (converted to float32).
  void read(std::span<float> out) const;
  /// A scalar (or one-element) integer or float dataset.
  double read_scalar() const;

 private:
  Id id_;
  std::string path_;
};

class Group {
 public:
  Group(Id id, std::string path) : id_(std::move(id)), path_(std::move(path)) {}
  const std::string& path() const { return path_; }
  hid_t id() const { return id_.get(); }

  /// Child names in HDF5's name order (hard links only).
  std::vector<std::string> children() const;
  /// Hard-linked group/dataset at a relative path ("a/b/c"); nullopt when absent.
  std::optional<Group> find_group(std::string_view rel) const;
  std::optional<Dataset> find_dataset(std::string_view rel) const;
  Group group(std::string_view rel) const;      ///< throws when absent
  Dataset dataset(std::string_view rel) const;  ///< throws when absent

  bool has_attribute(std::string_view name) const;
  /// A string or list of strings (fixed or variable length, scalar or 1-D), an empty numeric
  /// array (Keras's empty weight_names) as an empty list, and Keras's chunked attributes
  /// name0, name1, ...; nullopt when absent.
  std::optional<std::vector<std::string>> string_list_attribute(std::string_view name) const;
  /// A scalar string attribute; nullopt when absent.
  std::optional<std::string> string_attribute(std::string_view name) const;

  Group create_group(std::string_view name);
  void write_string_attribute(std::string_view name, std::string_view value, Charset cs);
  /// Keras's save_attributes_to_hdf5_group: variable-length strings, an empty float64 array
  /// when empty, and name0, name1... chunks (fixed-length) beyond HDF5's header limit.
  void write_string_list_attribute(std::string_view name, const std::vector<std::string>& values);
  /// Float32 dataset at a relative path (intermediate groups are created).
  void write_dataset(std::string_view rel, const Shape& shape, const float* data);
  void write_scalar(std::string_view rel, int64_t value);
  void write_scalar(std::string_view rel, float value);

 protected:
  Id id_;
  std::string path_;
};

class File : public Group {
 public:
  /// Opens an HDF5 file read-only.
  static File open(const std::filesystem::path& path);
  /// Opens an HDF5 file image held in memory, read-only (HDF5 copies the bytes).
  static File open_image(std::string_view bytes, const std::string& origin);
  /// A new, empty file that lives in memory until image() is taken.
  static File create_in_memory();
  /// The file's bytes (flushes first).
  std::string image() const;
  const std::string& origin() const { return origin_; }

 private:
  File(Id file, Id root, std::string origin)
      : Group(std::move(root), "/"), file_(std::move(file)), origin_(std::move(origin)) {}
  static File from_id(hid_t file, std::string origin);
  Id file_;
  std::string origin_;
};

/// True when `bytes` start with the HDF5 signature.
bool has_signature(std::string_view bytes);

}  // namespace keras::io::h5
