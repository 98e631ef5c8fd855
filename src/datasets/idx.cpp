#include "keras/datasets/idx.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "keras/core/error.hpp"
#include "keras/io/gzip.hpp"

namespace keras::datasets {

namespace {

// Magic (4) + at most 4 dimensions (4 bytes each).
constexpr int64_t kMaxIdxHeader = 4 + 4 * 4;
constexpr int64_t kMaxIdxFile = kMaxIdxBytes + kMaxIdxHeader;

[[noreturn]] void fail(const std::string& name, const std::string& what) {
  throw IOError("IDX file '" + name + "': " + what);
}

// Parses and checks the header at the start of `whole` (the complete uncompressed file), then
// shifts the data to the front of the buffer so the result stays aligned without a second
// allocation.
ByteArray idx_from_buffer(ByteArray whole, const std::string& name) {
  const uint8_t* p = whole.data();
  const int64_t n = whole.size();
  if (n < 4) fail(name, "truncated: shorter than the 4-byte IDX magic number");
  if (p[0] != 0 || p[1] != 0)
    fail(name,
         "bad magic number (expected 0x0000080N, the first two bytes must be zero); "
         "this is not an IDX file");
  if (p[2] != 0x08)
    fail(name, "unsupported element type 0x" + std::to_string(p[2]) +
                   " (only unsigned bytes, type 0x08, as in MNIST)");
  const int ndim = p[3];
  if (ndim < 1 || ndim > 4)
    fail(name, "unsupported number of dimensions " + std::to_string(ndim) + " (1 to 4)");
  const int64_t header = 4 + 4 * int64_t(ndim);
  if (n < header) fail(name, "truncated inside the header");

  std::vector<int64_t> dims(static_cast<size_t>(ndim));
  int64_t total = 1;
  for (int i = 0; i < ndim; ++i) {
    const uint8_t* b = p + 4 + 4 * i;
    const int64_t d =
        int64_t(b[0]) << 24 | int64_t(b[1]) << 16 | int64_t(b[2]) << 8 | int64_t(b[3]);
    if (d == 0 && i > 0) fail(name, "dimension " + std::to_string(i) + " is zero");
    dims[size_t(i)] = d;
    total *= std::max<int64_t>(1, d);
    if (total > kMaxIdxBytes)
      fail(name, "header declares more than 2 GiB of data; the file is corrupt");
  }
  if (dims[0] == 0) total = 0;
  const int64_t found = n - header;
  if (found < total)
    fail(name, "truncated: the header declares " + std::to_string(total) +
                   " data bytes but the file holds only " + std::to_string(found));
  if (found > total)
    fail(name, "has " + std::to_string(found - total) +
                   " trailing bytes after the declared data; the file is corrupt");
  std::memmove(whole.data(), p + header, static_cast<size_t>(total));
  return whole.slice(0, total).reshape(Shape(dims));
}

void read_exact(FILE* f, void* dst, size_t n, const std::string& name) {
  if (std::fread(dst, 1, n, f) != n)
    fail(name, std::ferror(f) ? std::string("read error: ") + std::strerror(errno)
                              : std::string("file shrank while being read"));
}

}  // namespace

ByteArray decode_idx(std::span<const uint8_t> bytes, const std::string& name) {
  if (io::is_gzip(bytes)) {
    const auto size = io::gzip_output_size(bytes, kMaxIdxFile, "IDX file '" + name + "'");
    auto whole = ByteArray::uninitialized(Shape{int64_t(size)});
    io::gunzip_into(bytes, whole.flat(), "IDX file '" + name + "'");
    return idx_from_buffer(std::move(whole), name);
  }
  if (int64_t(bytes.size()) > kMaxIdxFile)
    fail(name, "larger than 2 GiB; not an MNIST-family file");
  auto whole = ByteArray::uninitialized(Shape{int64_t(bytes.size())});
  std::memcpy(whole.data(), bytes.data(), bytes.size());
  return idx_from_buffer(std::move(whole), name);
}

ByteArray read_idx(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) fail(name, "file not found");
  if (std::filesystem::is_directory(path, ec)) fail(name, "is a directory, not a file");
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) fail(name, std::string("cannot be opened: ") + std::strerror(errno));
  const auto size = static_cast<int64_t>(std::filesystem::file_size(path, ec));
  if (ec) fail(name, "cannot read its size: " + ec.message());
  if (size > kMaxIdxFile) fail(name, "larger than 2 GiB; not an MNIST-family file");
  // Read straight into the array's buffer; a gzip file is then decompressed from memory.
  auto whole = ByteArray::uninitialized(Shape{size});
  read_exact(f.get(), whole.data(), static_cast<size_t>(size), name);
  if (io::is_gzip(whole.flat())) return decode_idx(whole.flat(), name);
  return idx_from_buffer(std::move(whole), name);
}

}  // namespace keras::datasets
