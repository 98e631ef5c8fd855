#include "keras/io/zip.hpp"

#include <zip.h>

#include <unordered_set>

#include "keras/core/error.hpp"

namespace keras::io {

namespace {

std::string zip_error_text(int code) {
  zip_error_t e;
  zip_error_init_with_code(&e, code);
  std::string text = zip_error_strerror(&e);
  zip_error_fini(&e);
  return text;
}

std::string zip_error_text(zip_error_t* e) {
  return e ? zip_error_strerror(e) : "unknown error";
}

// DEFLATE cannot expand data more than 1032:1; a declared size beyond that is a lie (a "zip
// bomb" or a corrupt header), refused before anything is allocated.
constexpr uint64_t kMaxDeflateRatio = 1032;
constexpr uint64_t kMaxEntries = 65536;

}  // namespace

struct ZipReader::Impl {
  std::string origin;
  std::string bytes;  // the archive, when opened from memory (libzip reads it in place)
  zip_t* za = nullptr;
  std::vector<ZipEntry> entries;
  ~Impl() {
    if (za) zip_discard(za);
  }
};

ZipReader::ZipReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  zip_t* za = impl_->za;
  const zip_int64_t n = zip_get_num_entries(za, 0);
  if (n < 0 || static_cast<uint64_t>(n) > kMaxEntries)
    throw IOError("zip archive '" + impl_->origin + "' has an invalid number of entries (" +
                  std::to_string(n) + ")");
  std::unordered_set<std::string> seen;
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(za, static_cast<zip_uint64_t>(i), 0, &st) != 0 ||
        !(st.valid & ZIP_STAT_NAME) || !(st.valid & ZIP_STAT_SIZE) ||
        !(st.valid & ZIP_STAT_COMP_SIZE) || !(st.valid & ZIP_STAT_COMP_METHOD))
      throw IOError("zip archive '" + impl_->origin + "': cannot read the directory entry #" +
                    std::to_string(i) + ": " + zip_error_text(zip_get_error(za)));
    ZipEntry e{st.name, st.size, st.comp_size, st.comp_method == ZIP_CM_STORE};
    if (!seen.insert(e.name).second)
      throw IOError("zip archive '" + impl_->origin + "' holds the entry '" + e.name +
                    "' twice; the archive is corrupt or was tampered with");
    impl_->entries.push_back(std::move(e));
  }
}

ZipReader::ZipReader(ZipReader&&) noexcept = default;
ZipReader& ZipReader::operator=(ZipReader&&) noexcept = default;
ZipReader::~ZipReader() = default;

ZipReader ZipReader::open(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw IOError("cannot open '" + path.string() + "': " +
                  (std::filesystem::exists(path, ec) ? "not a regular file" : "no such file"));
  auto impl = std::make_unique<Impl>();
  impl->origin = path.string();
  int code = 0;
  impl->za = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code);
  if (!impl->za)
    throw IOError("'" + path.string() + "' is not a readable zip archive: " + zip_error_text(code));
  return ZipReader(std::move(impl));
}

ZipReader ZipReader::from_bytes(std::string bytes, std::string origin) {
  auto impl = std::make_unique<Impl>();
  impl->origin = std::move(origin);
  impl->bytes = std::move(bytes);
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* src = zip_source_buffer_create(impl->bytes.data(), impl->bytes.size(), 0, &error);
  if (!src) {
    std::string msg = zip_error_text(&error);
    zip_error_fini(&error);
    throw IOError("cannot read zip archive '" + impl->origin + "': " + msg);
  }
  impl->za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &error);
  if (!impl->za) {
    zip_source_free(src);
    std::string msg = zip_error_text(&error);
    zip_error_fini(&error);
    throw IOError("'" + impl->origin + "' is not a readable zip archive: " + msg);
  }
  zip_error_fini(&error);
  return ZipReader(std::move(impl));
}

const std::vector<ZipEntry>& ZipReader::entries() const {
  return impl_->entries;
}
const std::string& ZipReader::origin() const {
  return impl_->origin;
}

const ZipEntry* ZipReader::find(std::string_view name) const {
  for (const auto& e : impl_->entries)
    if (e.name == name) return &e;
  return nullptr;
}

std::string ZipReader::read(std::string_view name, uint64_t max_bytes) const {
  const std::string where = "entry '" + std::string(name) + "' of '" + impl_->origin + "'";
  const ZipEntry* e = find(name);
  if (!e)
    throw IOError("zip archive '" + impl_->origin + "' has no entry '" + std::string(name) + "'");
  if (e->size > max_bytes)
    throw IOError(where + " declares " + std::to_string(e->size) +
                  " bytes, more than the limit of " + std::to_string(max_bytes));
  if (e->stored ? e->size != e->compressed_size
                : e->size > e->compressed_size * kMaxDeflateRatio + 1024)
    throw IOError(where + " declares " + std::to_string(e->size) + " bytes but holds " +
                  std::to_string(e->compressed_size) + " compressed bytes: the archive is corrupt");
  const zip_int64_t index = zip_name_locate(impl_->za, std::string(name).c_str(), 0);
  if (index < 0) throw IOError("zip archive '" + impl_->origin + "': cannot locate " + where);
  zip_file_t* f = zip_fopen_index(impl_->za, static_cast<zip_uint64_t>(index), 0);
  if (!f) throw IOError("cannot open " + where + ": " + zip_error_text(zip_get_error(impl_->za)));
  std::string out(static_cast<size_t>(e->size), '\0');
  size_t got = 0;
  bool ok = true;
  while (got < out.size()) {
    const zip_int64_t n = zip_fread(f, out.data() + got, out.size() - got);
    if (n <= 0) {
      ok = n == 0 && got == out.size();
      break;
    }
    got += static_cast<size_t>(n);
  }
  // One more read reaches the end, where libzip checks the CRC.
  char extra = 0;
  const zip_int64_t tail = ok ? zip_fread(f, &extra, 1) : -1;
  std::string reason = zip_error_text(zip_file_get_error(f));
  zip_fclose(f);
  if (!ok || tail != 0 || got != out.size())
    throw IOError(where + " is corrupt or truncated (" +
                  (tail > 0 ? std::string("more data than declared") : reason) + ")");
  return out;
}

// ---- writer ------------------------------------------------------------------------------------
void ZipWriter::add(std::string name, std::string data, std::optional<std::time_t> mtime,
                    bool compress) {
  entries_.push_back(
      {std::move(name), std::move(data), mtime.value_or(std::time(nullptr)), compress});
}

std::string ZipWriter::finish() const {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* src = zip_source_buffer_create(nullptr, 0, 0, &error);
  if (!src) throw IOError("cannot build zip archive: " + zip_error_text(&error));
  zip_t* za = zip_open_from_source(src, ZIP_TRUNCATE, &error);
  if (!za) {
    zip_source_free(src);
    throw IOError("cannot build zip archive: " + zip_error_text(&error));
  }
  zip_source_keep(src);  // keep the in-memory result alive after zip_close
  auto fail = [&](const std::string& what) {
    std::string msg = what + ": " + zip_error_text(zip_get_error(za));
    zip_discard(za);
    zip_source_free(src);
    throw IOError("cannot build zip archive: " + msg);
  };
  for (const auto& e : entries_) {
    zip_source_t* s = zip_source_buffer(za, e.data.data(), e.data.size(), 0);
    if (!s) fail("entry '" + e.name + "'");
    const zip_int64_t idx = zip_file_add(za, e.name.c_str(), s, ZIP_FL_ENC_UTF_8);
    if (idx < 0) {
      zip_source_free(s);
      fail("entry '" + e.name + "'");
    }
    const auto i = static_cast<zip_uint64_t>(idx);
    if (zip_set_file_compression(za, i, e.compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0) != 0 ||
        zip_file_set_mtime(za, i, e.mtime, 0) != 0)
      fail("entry '" + e.name + "'");
  }
  if (zip_close(za) != 0) fail("writing");
  std::string out;
  if (!zip_source_is_deleted(src)) {  // deleted means an empty archive
    if (zip_source_open(src) != 0 || zip_source_seek(src, 0, SEEK_END) != 0) {
      zip_source_free(src);
      throw IOError("cannot read back the zip archive built in memory");
    }
    const zip_int64_t size = zip_source_tell(src);
    out.resize(static_cast<size_t>(size));
    zip_source_seek(src, 0, SEEK_SET);
    const zip_int64_t n = zip_source_read(src, out.data(), out.size());
    zip_source_close(src);
    if (n != size) {
      zip_source_free(src);
      throw IOError("cannot read back the zip archive built in memory");
    }
  }
  zip_source_free(src);
  return out;
}

std::time_t zip_epoch() {
  std::tm t{};
  t.tm_year = 80;
  t.tm_mday = 1;
  t.tm_isdst = -1;
  return std::mktime(&t);
}

}  // namespace keras::io
