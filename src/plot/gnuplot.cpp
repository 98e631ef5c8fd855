// Runs gnuplot as a child process: the commands go to its stdin through a socket (a write to a
// gnuplot that died gives EPIPE, not SIGPIPE), its stderr is collected for error messages, its
// stdout is discarded (gnuplot falls back to stdout when it cannot open the output file).
#include "render.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "keras/core/error.hpp"
#include "keras/plot/gnuplot.hpp"

extern char** environ;

namespace keras::plot::detail {
namespace fs = std::filesystem;

namespace {

std::string errno_text(int err) {
  return std::strerror(err);
}

bool is_executable_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

// Like the shell's `command -v`: a name with a slash is taken as is, others are looked up in $PATH.
std::optional<fs::path> which(const std::string& name) {
  if (name.find('/') != std::string::npos)
    return is_executable_file(name) ? std::optional<fs::path>(name) : std::nullopt;
  const char* env = std::getenv("PATH");
  const std::string path = env && *env ? env : "/usr/local/bin:/usr/bin:/bin";
  size_t begin = 0;
  for (;;) {
    const size_t end = path.find(':', begin);
    const std::string dir = path.substr(begin, end == std::string::npos ? end : end - begin);
    const fs::path candidate = fs::path(dir.empty() ? "." : dir) / name;
    if (is_executable_file(candidate)) return candidate;
    if (end == std::string::npos) return std::nullopt;
    begin = end + 1;
  }
}

// A file descriptor closed when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

struct ChildResult {
  int status = 0;        ///< exit status, or 128 + signal number
  bool read_all = true;  ///< whether the child read its whole input
  std::string errors;    ///< what it wrote to stderr (the last 64 KiB)
};

// Runs `program -d` (-d: no init files, so a user's ~/.gnuplot cannot change the pictures) with
// `input` on its stdin; waits for it to exit.
ChildResult run_gnuplot(const fs::path& program, std::string_view input) {
  int sv[2], ep[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    throw IOError("plot: cannot create a pipe to gnuplot: " + errno_text(errno));
  Fd to_child(sv[0]), child_in(sv[1]);
  if (::pipe2(ep, O_CLOEXEC) != 0)
    throw IOError("plot: cannot create a pipe from gnuplot: " + errno_text(errno));
  Fd from_child(ep[0]), child_err(ep[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, child_in.get(), 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, child_err.get(), 2);
  std::string arg0 = program.string(), arg1 = "-d";
  char* argv[] = {arg0.data(), arg1.data(), nullptr};
  pid_t pid = -1;
  const int spawn_error = ::posix_spawn(&pid, arg0.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawn_error != 0)
    throw IOError("plot: cannot run gnuplot (" + arg0 + "): " + errno_text(spawn_error) +
                  "; install it with `apt-get install gnuplot-nox` or set KERASCPP_GNUPLOT");
  child_in.reset();
  child_err.reset();
  ::fcntl(to_child.get(), F_SETFL, O_NONBLOCK);
  ::fcntl(from_child.get(), F_SETFL, O_NONBLOCK);

  // Feed stdin and drain stderr together, so that neither side can block the other.
  ChildResult result;
  size_t sent = 0;
  if (input.empty()) to_child.reset();
  bool reading = true;
  constexpr size_t kMaxErrors = 64 * 1024;
  while (to_child.get() >= 0 || reading) {
    pollfd fds[2];
    nfds_t n = 0;
    if (to_child.get() >= 0) fds[n++] = {to_child.get(), POLLOUT, 0};
    if (reading) fds[n++] = {from_child.get(), POLLIN, 0};
    if (::poll(fds, n, -1) < 0) {
      if (errno == EINTR) continue;
      result.read_all = result.read_all && to_child.get() < 0;
      to_child.reset();  // gnuplot then sees EOF and exits: waitpid below cannot hang
      break;
    }
    for (nfds_t i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == to_child.get()) {
        const ssize_t w = ::send(to_child.get(), input.data() + sent,
                                 std::min<size_t>(input.size() - sent, 1 << 16), MSG_NOSIGNAL);
        if (w > 0) sent += static_cast<size_t>(w);
        if ((w < 0 && errno != EAGAIN && errno != EINTR) || sent == input.size()) {
          result.read_all = sent == input.size();
          to_child.reset();  // EOF ends gnuplot's script
        }
      } else {
        char buf[4096];
        const ssize_t r = ::read(from_child.get(), buf, sizeof buf);
        if (r > 0) {
          result.errors.append(buf, static_cast<size_t>(r));
          if (result.errors.size() > kMaxErrors)
            result.errors.erase(0, result.errors.size() - kMaxErrors);
        } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
          reading = false;
        }
      }
    }
  }
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  result.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
  return result;
}

// The last few meaningful lines of gnuplot's complaints (not its echo of the caret), on one line.
std::string tail_lines(const std::string& text, size_t count) {
  std::vector<std::string> lines;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(begin, end - begin);
    const size_t first = line.find_first_not_of(" \t\r");
    if (first != std::string::npos && std::any_of(line.begin(), line.end(), [](char ch) {
          return std::isalnum(static_cast<unsigned char>(ch));
        }))
      lines.push_back(line.substr(first, line.find_last_not_of(" \t\r") + 1 - first));
    begin = end + 1;
  }
  if (lines.empty()) return "(no message)";
  std::string out;
  for (size_t i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); ++i)
    out += (out.empty() ? "" : " / ") + lines[i];
  return out;
}

// A temporary file beside the target; removed unless commit() renamed it onto the target.
class TempFile {
 public:
  TempFile(const fs::path& dir, const fs::path& target) : target_(target) {
    std::string leaf = ".";  // hidden, and named after the target; appended (GCC 12 -Wrestrict)
    leaf += target.filename().string();
    leaf += ".tmp-XXXXXX";
    std::string name = (dir / leaf).string();
    const int fd = ::mkstemp(name.data());
    if (fd < 0)
      throw IOError("plot: cannot write " + target.string() +
                    ": cannot create a file in directory " + dir.string() + " (" +
                    errno_text(errno) + "); choose a writable directory");
    ::fchmod(fd, 0644);  // mkstemp's 0600 would make the picture private
    ::close(fd);
    path_ = name;
  }
  ~TempFile() {
    if (!path_.empty()) {
      std::error_code ec;
      fs::remove(path_, ec);
    }
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const fs::path& path() const { return path_; }
  void commit() {
    std::error_code ec;
    fs::rename(path_, target_, ec);
    if (ec)
      throw IOError("plot: cannot rename " + path_.string() + " to " + target_.string() + ": " +
                    ec.message());
    path_.clear();
  }

 private:
  fs::path target_, path_;
};

std::string terminal(const Canvas& c) {
  char buf[512];
  const std::string font = quote(c.font + "," + std::to_string(static_cast<int>(style::font_size)));
  if (c.format == Format::png) {
    // Sizes in the script are points. pngcairo draws a line width of 1 as 1 px (so lines scale
    // by dpi / 72) and text at 96 px per inch (so fonts scale by dpi / 96), measured.
    const double line_scale = c.dpi / 72, font_scale = c.dpi / 96;
    std::snprintf(
        buf, sizeof buf,
        "set terminal pngcairo size %ld,%ld noenhanced font %s fontscale %.6g linewidth %.6g "
        "background '#ffffff'\n",
        std::lround(c.width_in * c.dpi), std::lround(c.height_in * c.dpi), font.c_str(), font_scale,
        line_scale);
  } else {
    // SVG user units are points (as matplotlib's SVGs).
    std::snprintf(buf, sizeof buf,
                  "set terminal svg size %.6g,%.6g fixed noenhanced font %s linewidth 1 background "
                  "'#ffffff'\n",
                  c.width_pt(), c.height_pt(), font.c_str());
  }
  return std::string(buf) + "set encoding utf8\n";
}

}  // namespace

Format format_for(const fs::path& path) {
  std::string ext = path.extension().string();
  for (char& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (ext == ".png") return Format::png;
  if (ext == ".svg") return Format::svg;
  throw ValueError("plot: cannot tell the picture format of '" + path.string() +
                   "': name the file *.png or *.svg");
}

Canvas make_canvas(const fs::path& path, std::array<double, 2> figsize,
                   std::array<double, 2> automatic, double dpi, std::string font,
                   std::string_view what) {
  if (figsize[0] == 0 && figsize[1] == 0) figsize = automatic;
  const double width_in = figsize[0], height_in = figsize[1];
  auto bad = [&](const std::string& problem) {
    return ValueError("plot::" + std::string(what) + ": " + problem);
  };
  if (!(width_in > 0 && height_in > 0 && width_in < 1000 && height_in < 1000))
    throw bad("figsize {" + std::to_string(width_in) + ", " + std::to_string(height_in) +
              "} is not a size in inches (both must be in (0, 1000))");
  if (!(dpi >= 10 && dpi <= 2000))
    throw bad("dpi " + std::to_string(dpi) + " is outside [10, 2000]");
  if (font.empty()) throw bad("font is empty: give a family name such as 'DejaVu Sans'");
  return Canvas{width_in, height_in, dpi, std::move(font), format_for(path)};
}

std::string quote(std::string_view text) {
  std::string out = "'";
  for (char ch : text) {
    if (ch == '\'')
      out += "''";
    else if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f)
      out += ' ';
    else
      out += ch;
  }
  return out + "'";
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string font_spec(const Canvas& canvas, double size) {
  char buf[32];
  std::snprintf(buf, sizeof buf, ",%.3g", size);
  return "font " + quote(canvas.font + buf);
}

double text_width_em(std::string_view text) {
  double em = 0;
  for (size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const size_t len = lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
    em += len >= 3 ? 1.0 : 0.6;  // three-byte UTF-8 covers CJK, whose glyphs are a full em
    i += len;
  }
  return em;
}

void render(const fs::path& path, const Canvas& canvas, std::string_view commands) {
  const std::string name = path.string();
  if (name.empty()) throw ValueError("plot: the output file name is empty");
  for (char ch : name)
    if (static_cast<unsigned char>(ch) < 0x20)
      throw ValueError("plot: the output file name '" + name + "' contains a control character");
  const fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  std::error_code ec;
  const auto dir_status = fs::status(dir, ec);
  if (!fs::exists(dir_status))
    throw IOError("plot: cannot write " + name + ": directory " + dir.string() +
                  " does not exist; create it first");
  if (!fs::is_directory(dir_status))
    throw IOError("plot: cannot write " + name + ": " + dir.string() + " is not a directory");
  if (fs::is_directory(path, ec))
    throw IOError("plot: cannot write " + name +
                  ": it is a directory; give a file name such as training.png");
  TempFile tmp(dir, path);  // fails early, before gnuplot runs, when the directory is not writable

  const auto program = find_gnuplot();
  if (!program) {
    const char* env = std::getenv("KERASCPP_GNUPLOT");
    throw IOError(std::string("plot: gnuplot is not installed (") +
                  (env && *env ? "KERASCPP_GNUPLOT=" + std::string(env) + " is not an executable"
                               : "no gnuplot in $PATH") +
                  "); install it with `apt-get install gnuplot-nox` (tools/install-deps.sh does)");
  }
  std::string script = terminal(canvas);
  script += "set output " + quote(tmp.path().string()) + "\n";
  script += commands;
  script += "\nunset output\n";
  const ChildResult r = run_gnuplot(*program, script);
  if (r.status != 0 || !r.read_all)
    throw IOError("plot: gnuplot (" + program->string() + ") failed drawing " + name +
                  " (exit status " + std::to_string(r.status) + "): " + tail_lines(r.errors, 4));
  if (fs::file_size(tmp.path(), ec) == 0 || ec)
    throw IOError("plot: gnuplot (" + program->string() + ") wrote nothing for " + name + ": " +
                  tail_lines(r.errors, 4));
  tmp.commit();
}

}  // namespace keras::plot::detail

namespace keras::plot {

std::optional<std::filesystem::path> find_gnuplot() {
  const char* env = std::getenv("KERASCPP_GNUPLOT");
  return detail::which(env && *env ? env : "gnuplot");
}

}  // namespace keras::plot
