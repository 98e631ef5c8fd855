#include "keras/io/atomic_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <utility>

#include "keras/core/error.hpp"

namespace keras::io {

namespace fs = std::filesystem;

namespace {

std::string os_error(const std::string& what, const fs::path& path) {
  return what + " '" + path.string() + "': " + std::strerror(errno);
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

void write_all(int fd, std::string_view bytes, const fs::path& path) {
  const char* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw IOError(os_error("cannot write", path));
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
}

// "<dir>/.<name>.tmp-<pid>-<n>": hidden, beside the target (rename must not cross file systems).
std::string temp_prefix(const fs::path& target) {
  std::string prefix = ".";  // appended piecewise: GCC 12 warns falsely on "." + string
  prefix += target.filename().string();
  prefix += ".tmp-";
  return prefix;
}

// Removes temp files of earlier saves whose process no longer exists (killed mid-save).
void remove_stale_temps(const fs::path& dir, const fs::path& target) {
  const std::string prefix = temp_prefix(target);
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    const long pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
    if (pid <= 0 || pid == ::getpid()) continue;
    if (::kill(static_cast<pid_t>(pid), 0) == -1 && errno == ESRCH) fs::remove(it->path(), ec);
  }
}

}  // namespace

void write_file_atomically(const fs::path& requested, std::string_view bytes) {
  if (requested.empty()) throw IOError("cannot save: the file path is empty");
  std::error_code ec;
  // Save through a symlink to its target, as writing in place would.
  const fs::path path =
      fs::is_symlink(requested, ec) ? fs::weakly_canonical(requested, ec) : requested;
  if (fs::is_directory(path, ec))
    throw IOError("cannot save to '" + path.string() + "': it is a directory; give a file name");
  fs::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  if (!fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec) throw IOError("cannot create directory '" + dir.string() + "': " + ec.message());
  }
  remove_stale_temps(dir, path);

  static std::atomic<unsigned> counter{0};
  const fs::path temp =
      dir / (temp_prefix(path) + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
  if (fd.get() < 0) throw IOError(os_error("cannot create", temp));
  try {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) ::fchmod(fd.get(), st.st_mode & 07777);  // keep the mode
    write_all(fd.get(), bytes, temp);
    if (::fsync(fd.get()) != 0) throw IOError(os_error("cannot flush", temp));
    if (::close(fd.release()) != 0) throw IOError(os_error("cannot close", temp));
    if (::rename(temp.c_str(), path.c_str()) != 0)
      throw IOError(os_error("cannot rename onto", path));
  } catch (...) {
    ::unlink(temp.c_str());
    throw;
  }
  // Make the rename itself durable.
  Fd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd.get() >= 0) ::fsync(dfd.get());
}

std::string read_file(const fs::path& path, uint64_t max_bytes) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw IOError(os_error("cannot open", path));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw IOError(os_error("cannot stat", path));
  if (!S_ISREG(st.st_mode))
    throw IOError("cannot read '" + path.string() + "': not a regular file");
  if (static_cast<uint64_t>(st.st_size) > max_bytes)
    throw IOError("'" + path.string() + "' is " + std::to_string(st.st_size) +
                  " bytes, more than the limit of " + std::to_string(max_bytes));
  std::string out(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < out.size()) {
    const ssize_t n = ::read(fd.get(), out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw IOError(os_error("cannot read", path));
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  out.resize(got);
  return out;
}

std::string read_file_head(const fs::path& path, size_t n) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw IOError(os_error("cannot open", path));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
    throw IOError("cannot read '" + path.string() + "': not a regular file");
  std::string out(n, '\0');
  size_t got = 0;
  while (got < n) {
    const ssize_t r = ::read(fd.get(), out.data() + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<size_t>(r);
  }
  out.resize(got);
  return out;
}

}  // namespace keras::io
