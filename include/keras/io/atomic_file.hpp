// Whole-file reads and crash-safe writes: a file is written to a temporary name beside the
// target, flushed to disk and renamed over the target, so a reader (or a process killed
// mid-save) only ever sees the old file or the new one, never half of one.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace keras::io {

/// Writes `bytes` to `path` atomically: temp file in the same directory, fsync, rename, fsync
/// of the directory. Creates missing parent directories. Temp files left behind by killed
/// processes are removed on the next save to the same path. Throws keras::IOError.
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

/// Reads a whole regular file. Throws keras::IOError when it is missing, not a regular file or
/// larger than `max_bytes`.
std::string read_file(const std::filesystem::path& path, uint64_t max_bytes = uint64_t(1) << 40);

/// The first `n` bytes of a file (fewer if it is shorter); for sniffing the format.
std::string read_file_head(const std::filesystem::path& path, size_t n);

}  // namespace keras::io
