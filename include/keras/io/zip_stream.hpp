// Streaming zip archives (libzip) for .npz: reading entries of .npz (and .keras) files with every declared size
// checked before it is trusted, and writing archives atomically. Only stored and deflate entries
// are read, the two methods numpy and Keras write.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct zip;
struct zip_file;

namespace keras::io::streaming {

/// One member of an archive, as its central directory declares it.
struct ZipEntry {
  std::string name;
  uint64_t index = 0;
  uint64_t size = 0;  ///< uncompressed bytes
  uint64_t compressed_size = 0;
  int method = 0;  ///< 0 stored, 8 deflate (others are refused when read)
};

/// Whether `name` is a plain file name: not empty, no directory part ('/' or '\'), not "." or
/// "..", no NUL. Archives whose members must sit side by side (.npz) refuse every other name.
bool is_plain_entry_name(std::string_view name);

/// Reads members of a zip archive. Throws keras::IOError naming the archive for anything that
/// is not a readable zip file.
class ZipReader {
 public:
  explicit ZipReader(const std::filesystem::path& path);
  /// An archive already in memory; `bytes` must outlive the reader.
  ZipReader(std::span<const uint8_t> bytes, std::string name);
  ~ZipReader();
  ZipReader(ZipReader&&) noexcept;
  ZipReader& operator=(ZipReader&&) noexcept;

  const std::string& name() const { return name_; }
  const std::vector<ZipEntry>& entries() const { return entries_; }
  /// The entry with this exact name, or nullptr.
  const ZipEntry* find(std::string_view entry_name) const;

  /// Sequential reader of one member's uncompressed bytes. Its declared size is checked against
  /// the archive before it is opened, and its CRC when the end is reached.
  class Stream {
   public:
    ~Stream();
    Stream(Stream&&) noexcept;
    Stream& operator=(Stream&&) = delete;
    /// Reads up to `dst.size()` bytes; fewer only at the end of the member.
    size_t read(std::span<uint8_t> dst);
    /// Reads exactly `dst.size()` bytes, else throws (truncated member).
    void read_exact(std::span<uint8_t> dst);
    /// Throws unless the member has no bytes left (and its CRC matched).
    void expect_end();
    const ZipEntry& entry() const { return entry_; }

   private:
    friend class ZipReader;
    Stream(zip_file* file, ZipEntry entry, std::string where);
    zip_file* file_;
    ZipEntry entry_;
    std::string where_;
  };

  Stream open(const ZipEntry& entry) const;
  /// The whole member, which must not be larger than `max_size` bytes.
  std::vector<uint8_t> read(const ZipEntry& entry, uint64_t max_size) const;

 private:
  void load_entries();
  std::string name_;
  uint64_t archive_size_ = 0;
  zip* archive_ = nullptr;
  std::vector<ZipEntry> entries_;
};

/// Writes a zip archive. libzip writes to a temporary file beside `path` and renames it on
/// commit(), so a crash never leaves a half-written archive under the final name. Without
/// commit(), the destructor discards everything.
class ZipWriter {
 public:
  explicit ZipWriter(const std::filesystem::path& path);
  ~ZipWriter();
  ZipWriter(const ZipWriter&) = delete;
  ZipWriter& operator=(const ZipWriter&) = delete;

  /// Adds a member (a copy of `bytes` is kept until commit), deflated when `compress`.
  void add(const std::string& entry_name, std::span<const uint8_t> bytes, bool compress);
  void add(const std::string& entry_name, std::vector<uint8_t>&& bytes, bool compress);
  void commit();

 private:
  std::filesystem::path path_;
  zip* archive_ = nullptr;
  std::vector<std::unique_ptr<std::vector<uint8_t>>> buffers_;
};

}  // namespace keras::io::streaming
