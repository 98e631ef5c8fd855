#include "keras/utils/get_file.hpp"

#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <mutex>

#include "keras/utils/hash.hpp"
#include "keras/utils/progbar.hpp"

namespace keras::utils {

namespace fs = std::filesystem;

namespace {

constexpr double kDefaultStallTimeout = 30;

double stall_timeout(const DownloadOptions& o) {
  if (o.stall_timeout > 0) return o.stall_timeout;
  if (const char* env = std::getenv("KERASCPP_DOWNLOAD_TIMEOUT"); env && *env) {
    char* end = nullptr;
    const double v = std::strtod(env, &end);
    if (end != env && *end == '\0' && v > 0) return v;
    throw ValueError(std::string("KERASCPP_DOWNLOAD_TIMEOUT='") + env +
                     "' is not a positive number of seconds");
  }
  return kDefaultStallTimeout;
}

// Loopback never goes through a proxy (tests and local mirrors), whatever $no_proxy says.
std::string no_proxy_list() {
  std::string list = "127.0.0.1,localhost,::1";
  for (const char* var : {"no_proxy", "NO_PROXY"})
    if (const char* env = std::getenv(var); env && *env) return list + "," + env;
  return list;
}

const std::string kPartMarker = ".part-";

// State of one transfer, shared with libcurl's write callback.
struct Transfer {
  CURL* curl = nullptr;
  int fd = -1;
  Sha256 hash;
  int64_t bytes = 0;
  int64_t cap = 0;  // 0: no limit
  const DownloadOptions* options = nullptr;
  std::ostream* out = nullptr;
  std::optional<Progbar> bar;
  bool bar_tried = false;
  int64_t target = 0;
  std::string write_error;
  double stall_limit = 0;
  std::chrono::steady_clock::time_point last_data = std::chrono::steady_clock::now();

  void start_bar() {
    bar_tried = true;
    if (options->verbose < 1) return;
    target = options->expected_size.value_or(0);
    curl_off_t length = -1;
    if (curl_easy_getinfo(curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) == CURLE_OK &&
        length > 0)
      target = options->expected_size ? target : int64_t(length);
    if (target <= 0) return;
    Progbar::Options po;
    po.out = out;
    po.dynamic_display = out == &std::cout && stdout_is_terminal();
    bar.emplace(target, std::move(po));
  }
};

size_t on_write(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t len = size * count;
  if (t->cap > 0 && t->bytes + int64_t(len) > t->cap) {
    t->write_error = "the server sent more than " + std::to_string(t->cap) +
                     " bytes, far more than the file's size; cut off";
    return 0;
  }
  for (size_t done = 0; done < len;) {
    const ssize_t w = ::write(t->fd, data + done, len - done);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      t->write_error = std::string("cannot write the temporary file: ") + std::strerror(errno);
      return 0;
    }
    done += size_t(w);
  }
  t->hash.update({reinterpret_cast<const uint8_t*>(data), len});
  t->bytes += int64_t(len);
  t->last_data = std::chrono::steady_clock::now();
  if (!t->bar_tried) t->start_bar();
  if (t->bar) t->bar->update(std::min(t->bytes, t->target));
  return len;
}

// libcurl calls this about once a second, and more often while data flows. Its own low-speed
// limit averages over several seconds; this cuts a stall off after exactly `stall_limit`.
int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  const double idle =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t->last_data).count();
  if (idle < t->stall_limit) return 0;
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%g", t->stall_limit);
  t->write_error = std::string("stalled: no data for ") + seconds +
                   " s (the limit is $KERASCPP_DOWNLOAD_TIMEOUT, default 30 s)";
  return 1;
}

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
      throw IOError("libcurl could not be initialised");
  });
}

bool process_alive(long pid) {
  return pid > 0 && (::kill(pid_t(pid), 0) == 0 || errno == EPERM);
}

// Creates `<destination>.part-<pid>` (plus a counter if this process already has one open).
std::pair<fs::path, int> create_temp(const fs::path& destination) {
  for (int i = 0;; ++i) {
    fs::path p = destination;
    p += kPartMarker + std::to_string(::getpid()) + (i ? "-" + std::to_string(i) : "");
    const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) return {p, fd};
    if (errno != EEXIST || i > 100)
      throw IOError(
          "cannot create the temporary file '" + p.string() + "': " + std::strerror(errno) +
          ". Check that the folder is writable, or set XDG_CACHE_HOME (or KERASCPP_DATA_DIR) "
          "to a writable folder");
  }
}

void fsync_dir(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

// One attempt: returns "" on success (the file is in place), else what went wrong.
std::string try_download(const std::string& url, const std::string& sha256,
                         const fs::path& destination, const DownloadOptions& options,
                         double stall_limit, std::ostream& out) {
  auto [temp, fd] = create_temp(destination);
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) {
    ::close(fd);
    fs::remove(temp);
    return "libcurl could not create a transfer";
  }
  Transfer t;
  t.curl = curl.get();
  t.fd = fd;
  t.options = &options;
  t.out = &out;
  if (options.expected_size) t.cap = 2 * *options.expected_size + (1 << 20);
  char errbuf[CURL_ERROR_SIZE] = "";
  const std::string no_proxy = no_proxy_list();
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,file");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_NOPROXY, no_proxy.c_str());
  curl_easy_setopt(c, CURLOPT_USERAGENT, "kerascpp");
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, long(options.connect_timeout * 1000));
  t.stall_limit = stall_limit;
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &on_progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &on_write);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);

  const CURLcode rc = curl_easy_perform(c);
  std::string error;
  if (!t.write_error.empty()) {
    error = t.write_error;
  } else if (rc != CURLE_OK) {
    error = *errbuf ? errbuf : curl_easy_strerror(rc);
    if (rc == CURLE_OPERATION_TIMEDOUT) error = "timed out (" + error + ")";
  } else if (const std::string got = t.hash.hex_digest(); got != sha256) {
    error = "SHA-256 mismatch: got " + got + " for " + std::to_string(t.bytes) +
            " bytes, expected " + sha256 + " (a corrupted, truncated or different file)";
  } else if (::fsync(fd) != 0) {
    error = std::string("cannot flush the temporary file: ") + std::strerror(errno);
  }
  if (t.bar && t.bar_tried) {
    if (error.empty())
      t.bar->update(t.bytes, {}, /*finalize=*/true);
    else if (out.rdbuf() == std::cout.rdbuf() && stdout_is_terminal())
      out << "\n";
  }
  ::close(fd);
  std::error_code ec;
  if (error.empty()) {
    fs::rename(temp, destination, ec);
    if (ec)
      error = "cannot rename '" + temp.string() + "' to '" + destination.string() +
              "': " + ec.message();
    else
      fsync_dir(destination.parent_path());
  }
  if (!error.empty()) fs::remove(temp, ec);
  return error;
}

}  // namespace

void remove_stale_partial_downloads(const fs::path& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    const size_t at = name.rfind(kPartMarker);
    if (at == std::string::npos) continue;
    char* end = nullptr;
    const long pid = std::strtol(name.c_str() + at + kPartMarker.size(), &end, 10);
    if (end == name.c_str() + at + kPartMarker.size() || (*end != '\0' && *end != '-')) continue;
    if (!process_alive(pid)) fs::remove(entry.path(), ec);
  }
}

void download_file(const std::vector<std::string>& urls, const std::string& sha256,
                   const fs::path& destination, const DownloadOptions& options,
                   std::vector<DownloadAttempt>* log) {
  global_init();
  std::ostream& out = options.out ? *options.out : std::cout;
  const double stall_limit = stall_timeout(options);
  const fs::path dir =
      destination.parent_path().empty() ? fs::path(".") : destination.parent_path();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (!fs::is_directory(dir))
    throw IOError("cannot create the folder '" + dir.string() + "' for '" +
                  destination.filename().string() + "': " + ec.message() +
                  ". Set XDG_CACHE_HOME (or KERASCPP_DATA_DIR) to a writable folder");
  remove_stale_partial_downloads(dir);

  std::vector<DownloadAttempt> attempts;
  for (const std::string& url : urls) {
    if (options.verbose >= 1) out << "Downloading data from " << url << "\n" << std::flush;
    std::string error = try_download(url, sha256, destination, options, stall_limit, out);
    if (options.verbose >= 1 && !error.empty()) out << "  failed: " << error << "\n" << std::flush;
    attempts.push_back({url, error});
    if (log) log->push_back(attempts.back());
    if (error.empty()) return;
  }
  std::string message = "could not download '" + destination.filename().string() + "'";
  if (urls.empty()) message += ": no origin to download it from";
  for (const auto& a : attempts) message += "\n  " + a.url + ": " + a.error;
  throw DownloadError(message, std::move(attempts));
}

fs::path get_file(const std::string& fname, const std::vector<std::string>& urls,
                  const std::string& sha256, const fs::path& cache_dir,
                  const DownloadOptions& options) {
  const fs::path path = cache_dir / fname;
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) {
    if (sha256_file(path) == sha256) return path;
    if (options.verbose >= 1)
      (options.out ? *options.out : std::cout)
          << "A local file was found, but it seems to be incomplete or outdated because the sha256 "
             "file hash "
             "does not match the original value of "
          << sha256 << " so we will re-download the data.\n";
  }
  download_file(urls, sha256, path, options);
  return path;
}

}  // namespace keras::utils
