#include "keras/io/zip.hpp"

#include <zip.h>

#include <algorithm>
#include <unordered_set>
#include <utility>

#include "keras/core/error.hpp"
#include "keras/io/atomic_file.hpp"
#include "keras/io/gzip.hpp"

namespace keras::io {

namespace {

// More entries than any .keras or .npz holds; a bigger directory is corrupt or hostile.
constexpr uint64_t kMaxEntries = 65536;

[[noreturn]] void fail(const std::string& archive, const std::string& what) {
  throw IOError("zip archive '" + archive + "': " + what);
}

// Owns a zip_error_t for the calls that report through one.
struct LibzipError {
  zip_error_t e;
  LibzipError() { zip_error_init(&e); }
  ~LibzipError() { zip_error_fini(&e); }
  LibzipError(const LibzipError&) = delete;
  LibzipError& operator=(const LibzipError&) = delete;
  std::string text() { return zip_error_strerror(&e); }
};

}  // namespace

bool is_plain_entry_name(std::string_view name) {
  if (name.empty() || name == "." || name == "..") return false;
  return name.find_first_of(std::string_view("/\\\0", 3)) == std::string_view::npos;
}

// ---- ZipReader ---------------------------------------------------------------------------------

struct ZipReader::Impl {
  std::string origin;
  std::string bytes;  // the archive, when opened from memory (libzip reads it in place)
  uint64_t archive_size = 0;
  zip_t* za = nullptr;
  std::vector<ZipEntry> entries;

  ~Impl() {
    if (za) zip_discard(za);
  }

  // Opens the archive of `src` (taking it; null when creating it failed) and lists its entries.
  void load(zip_source_t* src, LibzipError& error) {
    if (src) za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &error.e);
    if (!za) {
      if (src) zip_source_free(src);
      fail(origin, "cannot be read as a zip file (" + error.text() + ")");
    }
    const zip_int64_t n = zip_get_num_entries(za, 0);
    if (n < 0 || uint64_t(n) > kMaxEntries)
      fail(origin, "has an invalid number of entries (" + std::to_string(n) + "; at most " +
                       std::to_string(kMaxEntries) + " are read)");
    std::unordered_set<std::string> seen;
    for (zip_int64_t i = 0; i < n; ++i) {
      zip_stat_t st;
      zip_stat_init(&st);
      constexpr zip_uint64_t kNeeded =
          ZIP_STAT_NAME | ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_COMP_METHOD;
      if (zip_stat_index(za, uint64_t(i), 0, &st) != 0 || (st.valid & kNeeded) != kNeeded)
        fail(origin, "cannot read the directory entry #" + std::to_string(i) + " (" +
                         zip_strerror(za) + ")");
      ZipEntry e{st.name,
                 uint64_t(i),
                 st.size,
                 st.comp_size,
                 st.comp_method,
                 (st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE};
      if (!seen.insert(e.name).second)
        fail(origin, "holds two entries named '" + e.name +
                         "'; the archive is corrupt or was tampered with");
      entries.push_back(std::move(e));
    }
  }
};

ZipReader::ZipReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ZipReader::ZipReader(ZipReader&&) noexcept = default;
ZipReader& ZipReader::operator=(ZipReader&&) noexcept = default;
ZipReader::~ZipReader() = default;

ZipReader ZipReader::open(const std::filesystem::path& path) {
  auto impl = std::make_unique<Impl>();
  impl->origin = path.string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    fail(impl->origin, std::filesystem::exists(path, ec) ? "not a regular file" : "not found");
  impl->archive_size = std::filesystem::file_size(path, ec);
  if (ec) fail(impl->origin, "cannot read its size (" + ec.message() + ")");
  LibzipError error;
  impl->load(zip_source_file_create(path.c_str(), 0, 0, &error.e), error);
  return ZipReader(std::move(impl));
}

ZipReader ZipReader::from_bytes(std::string bytes, std::string origin) {
  auto impl = std::make_unique<Impl>();
  impl->origin = std::move(origin);
  impl->bytes = std::move(bytes);
  impl->archive_size = impl->bytes.size();
  LibzipError error;
  impl->load(zip_source_buffer_create(impl->bytes.data(), impl->bytes.size(), 0, &error.e), error);
  return ZipReader(std::move(impl));
}

const std::vector<ZipEntry>& ZipReader::entries() const {
  return impl_->entries;
}
const std::string& ZipReader::origin() const {
  return impl_->origin;
}

const ZipEntry* ZipReader::find(std::string_view name) const {
  auto it = std::find_if(impl_->entries.begin(), impl_->entries.end(),
                         [&](const ZipEntry& e) { return e.name == name; });
  return it == impl_->entries.end() ? nullptr : &*it;
}

ZipReader::Stream ZipReader::stream(const ZipEntry& entry) const {
  const std::string where = "zip archive '" + impl_->origin + "', entry '" + entry.name + "'";
  if (entry.encrypted) throw IOError(where + ": encrypted entries are not supported");
  if (entry.method != ZIP_CM_STORE && entry.method != ZIP_CM_DEFLATE)
    throw IOError(where + ": unsupported compression method " + std::to_string(entry.method) +
                  " (only stored and deflate, as Keras and numpy write)");
  // Declared sizes must be possible for this archive before anyone allocates from them.
  if (entry.compressed_size > impl_->archive_size)
    throw IOError(where + ": declares " + std::to_string(entry.compressed_size) +
                  " compressed bytes in a " + std::to_string(impl_->archive_size) +
                  "-byte archive; truncated or corrupt");
  if (entry.stored() && entry.size != entry.compressed_size)
    throw IOError(where + ": stored entry declares " + std::to_string(entry.size) +
                  " bytes but holds " + std::to_string(entry.compressed_size) +
                  "; the archive is corrupt");
  if (!entry.stored() && !deflate_size_possible(entry.size, entry.compressed_size))
    throw IOError(where + ": declares " + std::to_string(entry.size) + " bytes, impossible for " +
                  std::to_string(entry.compressed_size) +
                  " deflated bytes; the archive is corrupt");
  zip_file_t* f = zip_fopen_index(impl_->za, entry.index, 0);
  if (!f) throw IOError(where + ": cannot be opened (" + zip_strerror(impl_->za) + ")");
  return Stream(f, entry, where);
}

std::string ZipReader::read(std::string_view name, uint64_t max_bytes) const {
  const ZipEntry* e = find(name);
  if (!e) fail(impl_->origin, "has no entry '" + std::string(name) + "'");
  if (e->size > max_bytes)
    fail(impl_->origin, "entry '" + e->name + "' declares " + std::to_string(e->size) +
                            " bytes, more than the limit of " + std::to_string(max_bytes));
  Stream s = stream(*e);
  std::string out(size_t(e->size), '\0');
  s.read_exact({reinterpret_cast<uint8_t*>(out.data()), out.size()});
  s.expect_end();
  return out;
}

// ---- ZipReader::Stream -------------------------------------------------------------------------

ZipReader::Stream::Stream(zip_file* file, ZipEntry entry, std::string where)
    : file_(file), entry_(std::move(entry)), where_(std::move(where)) {}
ZipReader::Stream::~Stream() {
  if (file_) zip_fclose(file_);
}
ZipReader::Stream::Stream(Stream&& o) noexcept
    : file_(std::exchange(o.file_, nullptr)),
      entry_(std::move(o.entry_)),
      where_(std::move(o.where_)) {}

size_t ZipReader::Stream::read(std::span<uint8_t> dst) {
  size_t done = 0;
  while (done < dst.size()) {
    const zip_int64_t got = zip_fread(file_, dst.data() + done, dst.size() - done);
    if (got < 0) throw IOError(where_ + ": corrupt data (" + zip_file_strerror(file_) + ")");
    if (got == 0) break;
    done += size_t(got);
  }
  return done;
}

void ZipReader::Stream::read_exact(std::span<uint8_t> dst) {
  const size_t got = read(dst);
  if (got != dst.size())
    throw IOError(where_ + ": truncated: expected " + std::to_string(dst.size()) +
                  " more bytes, found " + std::to_string(got));
}

void ZipReader::Stream::expect_end() {
  uint8_t extra;  // one more read reaches the end, where libzip checks the CRC
  if (read({&extra, 1}) != 0)
    throw IOError(where_ + ": holds more bytes than its " + std::to_string(entry_.size) +
                  " declared; the archive is corrupt");
}

// ---- ZipWriter ---------------------------------------------------------------------------------

void ZipWriter::add(std::string name, Bytes data, ZipEntryOptions options) {
  entries_.push_back({std::move(name), std::move(data), options.mtime.value_or(std::time(nullptr)),
                      options.compress});
}

std::string ZipWriter::finish() {
  std::vector<Entry> entries = std::exchange(entries_, {});
  LibzipError error;
  zip_source_t* src = zip_source_buffer_create(nullptr, 0, 0, &error.e);
  if (!src) throw IOError("cannot build zip archive: " + error.text());
  zip_t* za = zip_open_from_source(src, ZIP_TRUNCATE, &error.e);
  if (!za) {
    zip_source_free(src);
    throw IOError("cannot build zip archive: " + error.text());
  }
  zip_source_keep(src);  // keep the in-memory result alive after zip_close
  auto fail_build = [&](const std::string& what) {
    std::string msg = what + ": " + zip_strerror(za);
    zip_discard(za);
    zip_source_free(src);
    throw IOError("cannot build zip archive: " + msg);
  };
  for (const Entry& e : entries) {
    const auto [data, size] = std::visit(
        [](const auto& d) { return std::pair<const void*, size_t>(d.data(), d.size()); }, e.data);
    zip_source_t* s = zip_source_buffer(za, data, size, 0);
    if (!s) fail_build("entry '" + e.name + "'");
    const zip_int64_t idx = zip_file_add(za, e.name.c_str(), s, ZIP_FL_ENC_UTF_8);
    if (idx < 0) {
      zip_source_free(s);
      fail_build("entry '" + e.name + "'");
    }
    const auto i = zip_uint64_t(idx);
    if (zip_set_file_compression(za, i, e.compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0) != 0 ||
        zip_file_set_mtime(za, i, e.mtime, 0) != 0)
      fail_build("entry '" + e.name + "'");
  }
  if (zip_close(za) != 0) fail_build("writing");
  std::vector<Entry>().swap(entries);  // written: free them before the copy out
  std::string out;
  if (!zip_source_is_deleted(src)) {  // deleted means an empty archive
    bool ok = zip_source_open(src) == 0;
    if (ok) {
      const zip_int64_t size = zip_source_seek(src, 0, SEEK_END) == 0 ? zip_source_tell(src) : -1;
      if (size >= 0) out.resize(size_t(size));
      ok = size >= 0 && zip_source_seek(src, 0, SEEK_SET) == 0 &&
           zip_source_read(src, out.data(), out.size()) == size;
      zip_source_close(src);
    }
    if (!ok) {
      zip_source_free(src);
      throw IOError("cannot read back the zip archive built in memory");
    }
  }
  zip_source_free(src);
  return out;
}

void ZipWriter::write(const std::filesystem::path& path) {
  write_file_atomically(path, finish());
}

std::time_t zip_epoch() {
  std::tm t{};
  t.tm_year = 80;
  t.tm_mday = 1;
  t.tm_isdst = -1;
  return std::mktime(&t);
}

}  // namespace keras::io
