// Zip archives (the container of .keras files, and of numpy's .npz): a bounded reader and a
// writer that builds the archive in memory. Backed by libzip (ZIP64, stored and deflate).
//
//   auto zip = keras::io::ZipReader::open("model.keras");
//   std::string config = zip.read("config.json", 64 << 20);
//
//   keras::io::ZipWriter w;
//   w.add("config.json", text);
//   keras::io::write_file_atomically("x.zip", w.finish());
//
// The reader never trusts the archive: a declared size that the compressed data cannot hold,
// an entry over the caller's limit, a bad CRC or a broken directory is a keras::IOError, and
// nothing is ever extracted to disk.
#pragma once

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace keras::io {

struct ZipEntry {
  std::string name;   ///< as stored, e.g. "config.json" or "assets/vocab.txt"
  uint64_t size = 0;  ///< declared uncompressed size
  uint64_t compressed_size = 0;
  bool stored = true;  ///< false: compressed (deflate, ...)
};

class ZipReader {
 public:
  /// Opens an archive on disk. Throws keras::IOError (missing file, not a zip, corrupt).
  static ZipReader open(const std::filesystem::path& path);
  /// Opens an archive held in memory (takes the bytes). `origin` names it in messages.
  static ZipReader from_bytes(std::string bytes, std::string origin = "<memory>");

  ZipReader(ZipReader&&) noexcept;
  ZipReader& operator=(ZipReader&&) noexcept;
  ~ZipReader();

  /// Entries in the order of the central directory.
  const std::vector<ZipEntry>& entries() const;
  const ZipEntry* find(std::string_view name) const;
  /// The path or origin given when opening, for messages.
  const std::string& origin() const;

  /// The whole entry. Throws keras::IOError when it is missing, declares more than `max_bytes`,
  /// declares a size its compressed data cannot hold, or fails its CRC.
  std::string read(std::string_view name, uint64_t max_bytes) const;

 private:
  struct Impl;
  explicit ZipReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class ZipWriter {
 public:
  /// Adds an entry (kept in insertion order). `mtime` defaults to now; `compress` deflates.
  void add(std::string name, std::string data, std::optional<std::time_t> mtime = std::nullopt,
           bool compress = false);
  /// The complete archive (ZIP64 where sizes need it). Throws keras::IOError.
  std::string finish() const;

 private:
  struct Entry {
    std::string name, data;
    std::time_t mtime;
    bool compress;
  };
  std::vector<Entry> entries_;
};

/// 1980-01-01 00:00:00 local time: the timestamp Python's zipfile gives Keras's JSON entries.
std::time_t zip_epoch();

}  // namespace keras::io
