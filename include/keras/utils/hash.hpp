// SHA-256 of files and byte streams (OpenSSL's EVP), as hex strings: how downloaded and cached
// files are checked against the hashes kerascpp pins (Keras's `get_file(file_hash=...)`).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

namespace keras::utils {

/// Incremental SHA-256: update() with each chunk, then hex_digest() once.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  void update(std::span<const uint8_t> bytes);
  /// Lower-case hex of the 32-byte digest. Ends the computation.
  std::string hex_digest();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// SHA-256 of a whole file, read in chunks. Throws keras::IOError when it cannot be read.
std::string sha256_file(const std::filesystem::path& path);

/// SHA-256 of bytes in memory.
std::string sha256_bytes(std::span<const uint8_t> bytes);

}  // namespace keras::utils
