// Whole-buffer gzip decompression (libdeflate: several times faster than zlib's streaming
// inflate for files that fit in memory, such as the MNIST .gz files). Sizes are checked before
// anything is allocated: the caller sizes the output from gzip_output_size().
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace keras::io {

/// DEFLATE cannot expand data by more than about 1032:1; a gzip trailer that declares more
/// than this times the compressed size is lying.
inline constexpr uint64_t kMaxDeflateRatio = 1032;

/// Whether `compressed` bytes of DEFLATE data can expand to `size` bytes (gzip, zip entries).
constexpr bool deflate_size_possible(uint64_t size, uint64_t compressed) {
  return size <= kMaxDeflateRatio * compressed + 64;
}

/// Whether `bytes` starts with the gzip magic number (1f 8b).
bool is_gzip(std::span<const uint8_t> bytes);

/// The uncompressed size that a gzip stream declares in its trailer, checked to be at most
/// `max_size` and possible for its compressed size. Throws keras::IOError naming `what`.
uint64_t gzip_output_size(std::span<const uint8_t> gz, uint64_t max_size, const std::string& what);

/// Decompresses a single-member gzip stream into `out`, which must be exactly its uncompressed
/// size. Throws keras::IOError naming `what` for corrupt data, a CRC or size mismatch, or bytes
/// after the stream (concatenated gzip members are not supported).
void gunzip_into(std::span<const uint8_t> gz, std::span<uint8_t> out, const std::string& what);

/// Compresses `bytes` into a gzip stream (level 1 to 12; 6 is gzip's default).
std::vector<uint8_t> gzip(std::span<const uint8_t> bytes, int level = 6);

}  // namespace keras::io
