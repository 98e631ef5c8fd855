// Zip archives, the container of .keras files and of numpy's .npz: one bounded reader and one
// writer, backed by libzip (ZIP64; stored and deflate entries, the two methods Keras and numpy
// write).
//
//   auto zip = keras::io::ZipReader::open("model.keras");
//   std::string config = zip.read("config.json", 64 << 20);      // whole entry, size-capped
//   auto s = zip.stream(*zip.find("x_train.npy"));                // big entry, no extra copy
//
//   keras::io::ZipWriter w;
//   w.add("config.json", text, {.mtime = keras::io::zip_epoch()});
//   w.add("x.npy", std::move(big_bytes), {.compress = true});     // moved in, not copied
//   w.write("x.zip");                      // atomically; or: auto bytes = w.finish();
//
// The reader never trusts the archive: an entry count over 65,536, a duplicate name, an
// encrypted entry, a compression method other than stored/deflate, a declared size that the
// archive or the compressed data cannot hold, an entry over the caller's limit, a bad CRC or
// data past the declared end is a keras::IOError, and nothing is ever extracted to disk.
#pragma once

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

struct zip_file;

namespace keras::io {

/// One entry of an archive, as its central directory declares it.
struct ZipEntry {
  std::string name;    ///< as stored, e.g. "config.json" or "x_train.npy"
  uint64_t index = 0;  ///< position in the central directory
  uint64_t size = 0;   ///< declared uncompressed size
  uint64_t compressed_size = 0;
  int method = 0;          ///< 0 stored, 8 deflate; any other is refused when the entry is read
  bool encrypted = false;  ///< refused when the entry is read
  bool stored() const { return method == 0; }
};

/// Whether `name` is a plain file name: not empty, no directory part ('/' or '\'), not "." or
/// "..", no NUL. Archives whose entries must sit side by side (.keras, .npz) refuse all others.
bool is_plain_entry_name(std::string_view name);

/// Reads entries of a zip archive. Every error is a keras::IOError naming the archive (its path
/// or the origin given) and, where it applies, the entry.
class ZipReader {
 public:
  /// Opens an archive on disk (missing file, not a zip, corrupt directory: IOError).
  static ZipReader open(const std::filesystem::path& path);
  /// Opens an archive held in memory. The reader owns the bytes (move them in to avoid a copy);
  /// `origin` names the archive in messages.
  static ZipReader from_bytes(std::string bytes, std::string origin = "<memory>");

  ZipReader(ZipReader&&) noexcept;
  ZipReader& operator=(ZipReader&&) noexcept;
  ~ZipReader();

  /// Entries in the order of the central directory.
  const std::vector<ZipEntry>& entries() const;
  /// The entry with this exact name, or nullptr.
  const ZipEntry* find(std::string_view name) const;
  /// The path or origin given when opening, for messages.
  const std::string& origin() const;

  /// Sequential reader of one entry's uncompressed bytes, for entries too big to copy (the
  /// arrays of an .npz). Must not outlive its ZipReader. The CRC is checked at the end.
  class Stream {
   public:
    ~Stream();
    Stream(Stream&&) noexcept;
    Stream& operator=(Stream&&) = delete;
    /// Reads up to `dst.size()` bytes; fewer only at the end of the entry.
    size_t read(std::span<uint8_t> dst);
    /// Reads exactly `dst.size()` bytes, else throws (truncated entry).
    void read_exact(std::span<uint8_t> dst);
    /// Throws unless the entry has no bytes left (and its CRC matched).
    void expect_end();
    const ZipEntry& entry() const { return entry_; }

   private:
    friend class ZipReader;
    Stream(zip_file* file, ZipEntry entry, std::string where);
    zip_file* file_;
    ZipEntry entry_;
    std::string where_;
  };

  /// Opens `entry` (one of entries()) for reading, after checking its method, encryption and
  /// declared sizes against the archive.
  Stream stream(const ZipEntry& entry) const;

  /// The whole entry `name`. Throws when it is missing or declares more than `max_bytes`, and
  /// for everything stream() and the Stream check.
  std::string read(std::string_view name, uint64_t max_bytes) const;

 private:
  struct Impl;
  explicit ZipReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// How ZipWriter::add stores an entry.
struct ZipEntryOptions {
  std::optional<std::time_t> mtime = std::nullopt;  ///< default: now
  bool compress = false;                            ///< deflate; else stored
};

/// Builds a zip archive from entries kept in memory, in insertion order.
class ZipWriter {
 public:
  /// An entry's bytes: text (JSON) or a binary buffer (an .npy), whichever the caller holds.
  using Bytes = std::variant<std::string, std::vector<uint8_t>>;
  /// Adds an entry; the writer keeps `data` until finish()/write() (move big buffers in).
  void add(std::string name, Bytes data, ZipEntryOptions options = {});

  /// The complete archive (ZIP64 where sizes need it). Releases the entries: the writer is
  /// empty afterwards. Throws keras::IOError.
  std::string finish();
  /// finish(), written to `path` with write_file_atomically (temp file, fsync, rename).
  void write(const std::filesystem::path& path);

 private:
  struct Entry {
    std::string name;
    Bytes data;
    std::time_t mtime;
    bool compress;
  };
  std::vector<Entry> entries_;
};

/// 1980-01-01 00:00:00 local time: the timestamp Python's zipfile gives Keras's JSON entries.
std::time_t zip_epoch();

}  // namespace keras::io
