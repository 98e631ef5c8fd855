#include "keras/io/gzip.hpp"

#include <libdeflate.h>

#include <memory>

#include "keras/core/error.hpp"

namespace keras::io {

namespace {
// A gzip member is at least a 10-byte header, a 2-byte empty deflate block and an 8-byte trailer.
constexpr size_t kMinGzipSize = 18;

[[noreturn]] void fail(const std::string& what, const std::string& problem) {
  throw IOError(what + ": " + problem);
}
}  // namespace

bool is_gzip(std::span<const uint8_t> bytes) {
  return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

uint64_t gzip_output_size(std::span<const uint8_t> gz, uint64_t max_size, const std::string& what) {
  if (gz.size() < kMinGzipSize)
    fail(what, "truncated gzip file (" + std::to_string(gz.size()) + " bytes)");
  const uint8_t* t = gz.data() + gz.size() - 4;
  const uint64_t isize =
      uint64_t(t[0]) | uint64_t(t[1]) << 8 | uint64_t(t[2]) << 16 | uint64_t(t[3]) << 24;
  if (isize > max_size)
    fail(what, "gzip trailer declares " + std::to_string(isize) +
                   " uncompressed bytes, more than the " + std::to_string(max_size) +
                   " allowed here; the file is corrupt or not what it claims");
  if (!deflate_size_possible(isize, gz.size()))
    fail(what, "gzip trailer declares " + std::to_string(isize) +
                   " uncompressed bytes, impossible for " + std::to_string(gz.size()) +
                   " compressed bytes; the file is truncated or corrupt");
  return isize;
}

void gunzip_into(std::span<const uint8_t> gz, std::span<uint8_t> out, const std::string& what) {
  std::unique_ptr<libdeflate_decompressor, void (*)(libdeflate_decompressor*)> d(
      libdeflate_alloc_decompressor(), &libdeflate_free_decompressor);
  if (!d) throw std::bad_alloc();
  size_t in_used = 0, out_used = 0;
  const libdeflate_result r = libdeflate_gzip_decompress_ex(
      d.get(), gz.data(), gz.size(), out.data(), out.size(), &in_used, &out_used);
  switch (r) {
    case LIBDEFLATE_SUCCESS:
      break;
    case LIBDEFLATE_INSUFFICIENT_SPACE:
      fail(what, "gzip data decompresses to more than the " + std::to_string(out.size()) +
                     " bytes its trailer declares; the file is corrupt");
    case LIBDEFLATE_SHORT_OUTPUT:
    case LIBDEFLATE_BAD_DATA:
    default:
      fail(what, "corrupt or truncated gzip data (bad deflate stream or CRC mismatch)");
  }
  if (out_used != out.size())
    fail(what, "gzip data decompresses to " + std::to_string(out_used) + " bytes, not the " +
                   std::to_string(out.size()) + " its trailer declares; the file is corrupt");
  if (in_used != gz.size())
    fail(what, std::to_string(gz.size() - in_used) +
                   " bytes follow the end of the gzip stream (a concatenated or damaged .gz); "
                   "recompress it with `gunzip -c FILE | gzip > NEW`");
}

std::vector<uint8_t> gzip(std::span<const uint8_t> bytes, int level) {
  std::unique_ptr<libdeflate_compressor, void (*)(libdeflate_compressor*)> c(
      libdeflate_alloc_compressor(level), &libdeflate_free_compressor);
  if (!c) throw ValueError("gzip: compression level " + std::to_string(level) + " is not in 1..12");
  std::vector<uint8_t> out(libdeflate_gzip_compress_bound(c.get(), bytes.size()));
  const size_t n =
      libdeflate_gzip_compress(c.get(), bytes.data(), bytes.size(), out.data(), out.size());
  if (n == 0)
    throw Error("gzip: libdeflate could not compress " + std::to_string(bytes.size()) + " bytes");
  out.resize(n);
  return out;
}

}  // namespace keras::io
