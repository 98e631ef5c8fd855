// Reader for the IDX format of the MNIST family (raw or gzip-compressed), hardened against bad
// files: every header field is checked before anything is allocated from it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "keras/tensor/ndarray.hpp"

namespace keras::datasets {

/// Upper bound on the data an IDX file may declare (the largest MNIST file is 47 MB).
inline constexpr int64_t kMaxIdxBytes = int64_t{1} << 31;

/// Reads an unsigned-byte IDX file (magic 0x0000080N), gzip or raw, into an array of its
/// declared shape. Throws keras::IOError naming the file and the problem (missing, bad magic,
/// unsupported type, absurd dimensions, truncated data, trailing bytes, corrupt gzip).
ByteArray read_idx(const std::filesystem::path& path);

/// The same for the bytes of an IDX file already in memory (gzip or raw); `name` is the file
/// name used in error messages.
ByteArray decode_idx(std::span<const uint8_t> bytes, const std::string& name = "<memory>");

}  // namespace keras::datasets
