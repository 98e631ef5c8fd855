// Small MNIST-shaped data sets for the data set tests: IDX and .npz bytes, their hashes, and a
// DatasetSpec that pins them, so the whole search/download machinery runs in milliseconds.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <keras/datasets/image_dataset.hpp>

namespace keras::testing {

/// The bytes of an unsigned-byte IDX file with these dimensions, data filled with `fill`.
std::vector<uint8_t> idx_bytes(std::vector<uint32_t> dims, size_t data_len, uint8_t fill = 1);

/// `n` train and `n` test images (28x28), every label `label`, every pixel `label` too.
struct TinyDataset {
  std::array<std::vector<uint8_t>, 4> gz;  ///< the four .gz IDX files, in ImageDataset order
  std::vector<uint8_t> npz;                ///< the same arrays as an .npz (x_train, ...)
};
TinyDataset make_tiny_dataset(uint32_t n, uint8_t label);

/// A spec named `name` that pins `data`'s hashes (and its .npz form, when `with_npz`). Its
/// built-in origin is a closed loopback port: tests set $KERASCPP_DATASETS_ORIGIN.
datasets::DatasetSpec tiny_spec(const TinyDataset& data, const std::string& name, bool with_npz);

/// Writes `bytes` to `path`, creating its folder.
void write_file(const std::filesystem::path& path, const std::vector<uint8_t>& bytes);
std::vector<uint8_t> read_file(const std::filesystem::path& path);

/// Sets or unsets environment variables for one test, restoring them afterwards.
class ScopedEnv {
 public:
  ScopedEnv() = default;
  ~ScopedEnv();
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;
  void set(const std::string& name, const std::string& value);
  void unset(const std::string& name);

 private:
  void save(const std::string& name);
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

}  // namespace keras::testing
