#include "keras/io/zip_stream.hpp"

#include <zip.h>

#include <algorithm>
#include <set>
#include <utility>

#include "keras/core/error.hpp"
#include "keras/io/gzip.hpp"

namespace keras::io::streaming {

namespace {

[[noreturn]] void fail(const std::string& archive, const std::string& what) {
  throw IOError("zip archive '" + archive + "': " + what);
}

std::string error_text(zip_error_t* e) {
  return zip_error_strerror(e);
}

// libzip's message for an error code from zip_open().
std::string error_text(int code) {
  zip_error_t e;
  zip_error_init_with_code(&e, code);
  std::string text = zip_error_strerror(&e);
  zip_error_fini(&e);
  return text;
}

}  // namespace

bool is_plain_entry_name(std::string_view name) {
  if (name.empty() || name == "." || name == "..") return false;
  return name.find_first_of(std::string_view("/\\\0", 3)) == std::string_view::npos;
}

// ---- ZipReader ------------------------------------------------------------------------------

ZipReader::ZipReader(const std::filesystem::path& path) : name_(path.string()) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) fail(name_, "not found or not a regular file");
  archive_size_ = std::filesystem::file_size(path, ec);
  int code = 0;
  archive_ = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code);
  if (!archive_) fail(name_, "cannot be read as a zip file (" + error_text(code) + ")");
  load_entries();
}

ZipReader::ZipReader(std::span<const uint8_t> bytes, std::string name)
    : name_(std::move(name)), archive_size_(bytes.size()) {
  zip_error_t e;
  zip_error_init(&e);
  zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &e);
  if (src) archive_ = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &e);
  if (!archive_) {
    if (src) zip_source_free(src);
    const std::string text = error_text(&e);
    zip_error_fini(&e);
    fail(name_, "cannot be read as a zip file (" + text + ")");
  }
  zip_error_fini(&e);
  load_entries();
}

ZipReader::~ZipReader() {
  if (archive_) zip_discard(archive_);
}
ZipReader::ZipReader(ZipReader&& o) noexcept
    : name_(std::move(o.name_)),
      archive_size_(o.archive_size_),
      archive_(std::exchange(o.archive_, nullptr)),
      entries_(std::move(o.entries_)) {}
ZipReader& ZipReader::operator=(ZipReader&& o) noexcept {
  if (this != &o) {
    if (archive_) zip_discard(archive_);
    name_ = std::move(o.name_);
    archive_size_ = o.archive_size_;
    archive_ = std::exchange(o.archive_, nullptr);
    entries_ = std::move(o.entries_);
  }
  return *this;
}

void ZipReader::load_entries() {
  const zip_int64_t n = zip_get_num_entries(archive_, 0);
  if (n < 0) fail(name_, "cannot list its members");
  std::set<std::string, std::less<>> seen;
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(archive_, uint64_t(i), ZIP_FL_ENC_RAW, &st) != 0 ||
        !(st.valid & ZIP_STAT_NAME))
      fail(name_, "member " + std::to_string(i) + " has an unreadable directory entry");
    ZipEntry e;
    e.name = st.name;
    e.index = uint64_t(i);
    e.size = (st.valid & ZIP_STAT_SIZE) ? st.size : 0;
    e.compressed_size = (st.valid & ZIP_STAT_COMP_SIZE) ? st.comp_size : 0;
    e.method = (st.valid & ZIP_STAT_COMP_METHOD) ? st.comp_method : -1;
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
      e.method = -2;
    if (!seen.insert(e.name).second)
      fail(name_, "two members are named '" + e.name + "'; the archive is corrupt");
    entries_.push_back(std::move(e));
  }
}

const ZipEntry* ZipReader::find(std::string_view entry_name) const {
  auto it = std::find_if(entries_.begin(), entries_.end(),
                         [&](const ZipEntry& e) { return e.name == entry_name; });
  return it == entries_.end() ? nullptr : &*it;
}

ZipReader::Stream ZipReader::open(const ZipEntry& entry) const {
  const std::string where = "zip archive '" + name_ + "', member '" + entry.name + "'";
  if (entry.method == -2) throw IOError(where + ": encrypted members are not supported");
  if (entry.method != ZIP_CM_STORE && entry.method != ZIP_CM_DEFLATE)
    throw IOError(where + ": unsupported compression method " + std::to_string(entry.method) +
                  " (only stored and deflate, as numpy and Keras write)");
  // Declared sizes must be possible for this archive before anyone allocates from them.
  if (entry.compressed_size > archive_size_)
    throw IOError(where + ": declares " + std::to_string(entry.compressed_size) +
                  " compressed bytes in a " + std::to_string(archive_size_) +
                  "-byte archive; truncated or corrupt");
  if (entry.method == ZIP_CM_STORE && entry.size != entry.compressed_size)
    throw IOError(where + ": stored member declares " + std::to_string(entry.size) +
                  " bytes but holds " + std::to_string(entry.compressed_size) +
                  "; the archive is corrupt");
  if (entry.method == ZIP_CM_DEFLATE && entry.size > kMaxDeflateRatio * entry.compressed_size + 64)
    throw IOError(where + ": declares " + std::to_string(entry.size) + " bytes, impossible for " +
                  std::to_string(entry.compressed_size) +
                  " deflated bytes; the archive is corrupt");
  zip_file_t* f = zip_fopen_index(archive_, entry.index, 0);
  if (!f) throw IOError(where + ": cannot be opened (" + zip_strerror(archive_) + ")");
  return Stream(f, entry, where);
}

std::vector<uint8_t> ZipReader::read(const ZipEntry& entry, uint64_t max_size) const {
  if (entry.size > max_size)
    throw IOError("zip archive '" + name_ + "', member '" + entry.name +
                  "': " + std::to_string(entry.size) + " bytes, more than the " +
                  std::to_string(max_size) + " allowed");
  Stream s = open(entry);
  std::vector<uint8_t> out(entry.size);
  s.read_exact(out);
  s.expect_end();
  return out;
}

// ---- ZipReader::Stream ----------------------------------------------------------------------

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
  uint8_t extra;
  if (read({&extra, 1}) != 0)
    throw IOError(where_ + ": holds more bytes than its " + std::to_string(entry_.size) +
                  " declared; the archive is corrupt");
}

// ---- ZipWriter ------------------------------------------------------------------------------

ZipWriter::ZipWriter(const std::filesystem::path& path) : path_(path) {
  int code = 0;
  archive_ = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code);
  if (!archive_) fail(path.string(), "cannot be created (" + error_text(code) + ")");
}

ZipWriter::~ZipWriter() {
  if (archive_) zip_discard(archive_);
}

void ZipWriter::add(const std::string& entry_name, std::span<const uint8_t> bytes, bool compress) {
  add(entry_name, std::vector<uint8_t>(bytes.begin(), bytes.end()), compress);
}

void ZipWriter::add(const std::string& entry_name, std::vector<uint8_t>&& bytes, bool compress) {
  if (!archive_) fail(path_.string(), "add() after commit()");
  buffers_.push_back(std::make_unique<std::vector<uint8_t>>(std::move(bytes)));
  const auto& buf = *buffers_.back();
  zip_source_t* src = zip_source_buffer(archive_, buf.data(), buf.size(), 0);
  if (!src)
    fail(path_.string(),
         std::string("cannot add '") + entry_name + "' (" + zip_strerror(archive_) + ")");
  const zip_int64_t idx = zip_file_add(archive_, entry_name.c_str(), src, ZIP_FL_ENC_UTF_8);
  if (idx < 0) {
    zip_source_free(src);
    fail(path_.string(), "cannot add '" + entry_name + "' (" + zip_strerror(archive_) + ")");
  }
  if (zip_set_file_compression(archive_, uint64_t(idx), compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE,
                               0) != 0)
    fail(path_.string(), "cannot set the compression of '" + entry_name + "'");
}

void ZipWriter::commit() {
  if (!archive_) fail(path_.string(), "commit() called twice");
  if (zip_close(archive_) != 0) {
    const std::string text = zip_strerror(archive_);
    zip_discard(archive_);
    archive_ = nullptr;
    fail(path_.string(), "cannot be written (" + text + ")");
  }
  archive_ = nullptr;
  buffers_.clear();
}

}  // namespace keras::io::streaming
