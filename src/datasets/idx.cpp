#include "keras/datasets/idx.hpp"

#include <zlib.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <memory>

#include "keras/core/error.hpp"

namespace keras::datasets {

namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what) {
  throw IOError("IDX file '" + path.string() + "': " + what);
}

bool has_gzip_magic(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  unsigned char m[2] = {0, 0};
  f.read(reinterpret_cast<char*>(m), 2);
  return f.gcount() == 2 && m[0] == 0x1f && m[1] == 0x8b;
}

// Uncompressed size from the gzip trailer (ISIZE, mod 2^32): an upper bound we can trust
// before decompressing, so a lying header cannot make us allocate.
uint64_t gzip_isize(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  const auto size = static_cast<int64_t>(f.tellg());
  if (size < 18) return 0;
  f.seekg(size - 4);
  unsigned char b[4];
  f.read(reinterpret_cast<char*>(b), 4);
  return uint64_t(b[0]) | uint64_t(b[1]) << 8 | uint64_t(b[2]) << 16 | uint64_t(b[3]) << 24;
}

struct GzCloser {
  void operator()(gzFile f) const { gzclose(f); }
};

}  // namespace

ByteArray read_idx(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) fail(path, "file not found");
  if (std::filesystem::is_directory(path, ec)) fail(path, "is a directory, not a file");
  const bool gz = has_gzip_magic(path);
  const uint64_t file_size = std::filesystem::file_size(path, ec);
  std::unique_ptr<gzFile_s, GzCloser> f(gzopen(path.c_str(), "rb"));
  if (!f) fail(path, "cannot be opened (check permissions)");
  gzbuffer(f.get(), 1 << 17);

  auto read_exact = [&](void* dst, int64_t n) -> int64_t {
    int64_t done = 0;
    auto* p = static_cast<unsigned char*>(dst);
    while (done < n) {
      const unsigned chunk = static_cast<unsigned>(std::min<int64_t>(n - done, 1 << 30));
      const int got = gzread(f.get(), p + done, chunk);
      if (got < 0) {
        int errnum = 0;
        const char* msg = gzerror(f.get(), &errnum);
        fail(path, std::string("corrupt gzip data (") + (msg ? msg : "unknown error") + ")");
      }
      if (got == 0) break;
      done += got;
    }
    return done;
  };

  unsigned char magic[4];
  if (read_exact(magic, 4) != 4) fail(path, "truncated: shorter than the 4-byte IDX magic number");
  if (magic[0] != 0 || magic[1] != 0)
    fail(path, "bad magic number (expected 0x0000080N, the first two bytes must be zero); "
               "this is not an IDX file");
  if (magic[2] != 0x08)
    fail(path, "unsupported element type 0x" + std::to_string(magic[2]) +
                   " (only unsigned bytes, type 0x08, as in MNIST)");
  const int ndim = magic[3];
  if (ndim < 1 || ndim > 4) fail(path, "unsupported number of dimensions " + std::to_string(ndim) + " (1 to 4)");

  std::vector<int64_t> dims(static_cast<size_t>(ndim));
  int64_t total = 1;
  for (int i = 0; i < ndim; ++i) {
    unsigned char b[4];
    if (read_exact(b, 4) != 4) fail(path, "truncated inside the header");
    dims[size_t(i)] = int64_t(b[0]) << 24 | int64_t(b[1]) << 16 | int64_t(b[2]) << 8 | int64_t(b[3]);
    if (dims[size_t(i)] == 0 && i > 0) fail(path, "dimension " + std::to_string(i) + " is zero");
    total *= std::max<int64_t>(1, dims[size_t(i)]);
    if (total > kMaxIdxBytes) fail(path, "header declares more than 2 GiB of data; the file is corrupt");
  }
  if (dims[0] == 0) total = 0;
  const int64_t header = 4 + 4 * int64_t(ndim);
  // The data must fit in what the file can hold before we allocate for it.
  const uint64_t available = gz ? gzip_isize(path) : file_size;
  const uint64_t need = uint64_t(header + total);
  if (gz ? (need < (uint64_t(1) << 32) && available < need) : available < need)
    fail(path, "truncated: the header declares " + std::to_string(total) +
                   " data bytes but the file holds only " +
                   std::to_string(available > uint64_t(header) ? available - uint64_t(header) : 0));

  ByteArray out = ByteArray::uninitialized(Shape(dims));
  const int64_t got = read_exact(out.data(), total);
  if (got != total)
    fail(path, "truncated: expected " + std::to_string(total) + " data bytes after the header, found " +
                   std::to_string(got));
  unsigned char extra;
  if (read_exact(&extra, 1) != 0) fail(path, "has trailing bytes after the declared data; the file is corrupt");
  return out;
}

}  // namespace keras::datasets
