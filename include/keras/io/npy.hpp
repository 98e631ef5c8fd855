// numpy's .npy and .npz files (np.save, np.savez, np.savez_compressed; Keras's mnist.npz).
// Reading is hardened: the header is parsed strictly, every declared size is checked against
// what the file can hold before anything is allocated, and .npz members must be plain names.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "keras/io/zip.hpp"
#include "keras/tensor/ndarray.hpp"

namespace keras::io {

/// An array of any element type kerascpp supports.
using AnyArray = std::variant<NDArray<uint8_t>, NDArray<int32_t>, NDArray<int64_t>, NDArray<float>,
                              NDArray<double>>;

/// Upper bound on one array read from .npy/.npz (a guard against absurd headers): 16 GiB.
inline constexpr uint64_t kMaxNpyBytes = uint64_t{1} << 34;

/// The parsed header of a .npy stream.
struct NpyHeader {
  std::string descr;  ///< numpy dtype string, e.g. "|u1", "<f4"
  Shape shape;
  uint64_t header_size = 0;  ///< bytes before the data
  uint64_t data_size = 0;    ///< bytes of data the header declares
};

/// Parses a .npy header from the first bytes of a stream (`prefix` may hold more than the
/// header). Throws keras::IOError naming `name`: bad magic, unknown version, malformed or
/// oversized header, unsupported dtype, Fortran order, absurd shape.
NpyHeader parse_npy_header(std::span<const uint8_t> prefix, const std::string& name);

/// Reads a .npy file.
AnyArray load_npy(const std::filesystem::path& path);

/// Reads the bytes of a .npy file already in memory; `name` is used in error messages.
AnyArray parse_npy(std::span<const uint8_t> bytes, const std::string& name = "<memory>");

/// The bytes of a .npy file (format 1.0, C order, little-endian) holding `array`.
std::vector<uint8_t> npy_bytes(const AnyArray& array);

/// A .npz archive; members are read on demand, one at a time.
class NpzFile {
 public:
  explicit NpzFile(const std::filesystem::path& path);
  /// An archive already in memory (copied: the reader owns its bytes); `name` is used in
  /// error messages.
  NpzFile(std::span<const uint8_t> bytes, std::string name);

  /// Names of the arrays (members without their ".npy"), in archive order.
  std::vector<std::string> keys() const;
  bool contains(const std::string& key) const;
  AnyArray get(const std::string& key) const;
  /// The array `key`, which must have element type T (else keras::IOError naming both dtypes).
  template <ArrayElement T>
  NDArray<T> get(const std::string& key) const;

 private:
  ZipReader zip_;
};

extern template NDArray<uint8_t> NpzFile::get<uint8_t>(const std::string&) const;
extern template NDArray<int32_t> NpzFile::get<int32_t>(const std::string&) const;
extern template NDArray<int64_t> NpzFile::get<int64_t>(const std::string&) const;
extern template NDArray<float> NpzFile::get<float>(const std::string&) const;
extern template NDArray<double> NpzFile::get<double>(const std::string&) const;

/// Writes arrays as np.savez (or np.savez_compressed when `compress`) does: one `<key>.npy`
/// member per array, written to a temporary file and renamed.
void save_npz(const std::filesystem::path& path,
              const std::vector<std::pair<std::string, AnyArray>>& arrays, bool compress = false);

}  // namespace keras::io
