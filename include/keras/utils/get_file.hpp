// Downloading files safely (Keras's keras.utils.get_file): origins tried in order, each
// download hashed while it arrives and written to a temporary name that is renamed only after
// its SHA-256 matched, so no caller ever sees a half-written or wrong file under the real name.
// libcurl does the transfers: http, https and file URLs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "keras/core/error.hpp"

namespace keras::utils {

struct DownloadOptions {
  /// 1: print "Downloading data from URL" and a progress bar (redrawn live on a terminal, one
  /// final line otherwise), as Keras does; 0: silent.
  int verbose = 1;
  std::ostream* out = nullptr;  ///< default std::cout
  /// Seconds to wait for a connection.
  double connect_timeout = 15;
  /// Seconds without a byte received before an origin is given up as stalled;
  /// 0 means $KERASCPP_DOWNLOAD_TIMEOUT, else 30.
  double stall_timeout = 0;
  /// Size the file should have: the progress bar's target, and a transfer that grows past
  /// twice this is cut off.
  std::optional<int64_t> expected_size;
};

/// One try of one origin, and what went wrong ("" when it worked).
struct DownloadAttempt {
  std::string url;
  std::string error;
};

/// No origin delivered the file; attempts() says what happened at each one.
class DownloadError : public IOError {
 public:
  DownloadError(const std::string& message, std::vector<DownloadAttempt> attempts)
      : IOError(message), attempts_(std::move(attempts)) {}
  const std::vector<DownloadAttempt>& attempts() const { return attempts_; }

 private:
  std::vector<DownloadAttempt> attempts_;
};

/// Downloads the file whose SHA-256 is `sha256` (lower-case hex) to `destination`, trying
/// `urls` in order until one delivers it. An HTTP error, a refused connection, a stalled or
/// truncated transfer or a wrong hash moves on to the next URL. Every attempt is appended to
/// `log` when given. Throws DownloadError, listing every attempt, when none succeeds.
void download_file(const std::vector<std::string>& urls, const std::string& sha256,
                   const std::filesystem::path& destination, const DownloadOptions& options = {},
                   std::vector<DownloadAttempt>* log = nullptr);

/// Keras's get_file: `cache_dir / fname` if it exists with the right hash (no request is
/// made), else downloaded there from `urls`. A cached file with the wrong hash is reported
/// and downloaded again. Returns the path.
std::filesystem::path get_file(const std::string& fname, const std::vector<std::string>& urls,
                               const std::string& sha256, const std::filesystem::path& cache_dir,
                               const DownloadOptions& options = {});

/// Removes temporary files (`<name>.part-<pid>`) that downloads killed midway left in `dir`.
void remove_stale_partial_downloads(const std::filesystem::path& dir);

}  // namespace keras::utils
