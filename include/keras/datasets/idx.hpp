// Reader for the IDX format of the MNIST family (raw or gzip-compressed), hardened against bad
// files: every header field is checked before anything is allocated from it.
#pragma once

#include <filesystem>

#include "keras/tensor/ndarray.hpp"

namespace keras::datasets {

/// Upper bound on the data an IDX file may declare (the largest MNIST file is 47 MB).
inline constexpr int64_t kMaxIdxBytes = int64_t{1} << 31;

/// Reads an unsigned-byte IDX file (magic 0x0000080N), gzip or raw, into an array of its
/// declared shape. Throws keras::IOError naming the file and the problem (missing, bad magic,
/// unsupported type, absurd dimensions, truncated data, trailing bytes).
ByteArray read_idx(const std::filesystem::path& path);

}  // namespace keras::datasets
