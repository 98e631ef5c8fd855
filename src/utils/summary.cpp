#include "keras/utils/summary.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "keras/utils/progbar.hpp"

namespace keras::utils {

namespace {

// UTF-8 aware length in code points (all our box and text characters are one column wide).
size_t display_width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string repeat(const std::string& s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

// Truncates to `width` code points, ending with an ellipsis, as rich does for long words.
std::string truncate(const std::string& s, size_t width) {
  if (display_width(s) <= width) return s;
  std::string out;
  size_t n = 0;
  for (size_t i = 0; i < s.size() && n + 1 < width; ++n) {
    size_t len = 1;
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0xF0)
      len = 4;
    else if (c >= 0xE0)
      len = 3;
    else if (c >= 0xC0)
      len = 2;
    out += s.substr(i, len);
    i += len;
  }
  return out + "\u2026";
}

// Wraps text at spaces into lines of at most `width` columns (rich's word wrap).
std::vector<std::string> wrap(const std::string& text, size_t width) {
  std::vector<std::string> lines;
  std::istringstream words(text);
  std::string word, line;
  while (words >> word) {
    if (line.empty()) {
      line = word;
    } else if (display_width(line) + 1 + display_width(word) <= width) {
      line += " " + word;
    } else {
      lines.push_back(line);
      line = word;
    }
  }
  lines.push_back(line);
  for (auto& l : lines) l = truncate(l, width);
  return lines;
}

struct Style {
  bool on;
  std::string bold(const std::string& s) const { return on ? "\x1b[1m" + s + "\x1b[0m" : s; }
  std::string color(const std::string& code, const std::string& s) const {
    return on && !s.empty() ? "\x1b[" + code + "m" + s + "\x1b[0m" : s;
  }
};

// Colours inside a cell, as Keras's rich markup does: class name, None and numbers.
std::string style_cell(const std::string& text, int column, const Style& st) {
  if (!st.on) return text;
  if (column == 0) {
    auto open = text.rfind(" (");
    if (open != std::string::npos && text.back() == ')')
      return text.substr(0, open + 2) +
             st.color("38;5;33", text.substr(open + 2, text.size() - open - 3)) + ")";
    return text;
  }
  std::string out, run;
  auto flush_number = [&] {
    if (!run.empty()) out += st.color("38;5;34", run);
    run.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (std::isdigit(static_cast<unsigned char>(c)) || (c == ',' && !run.empty() && column == 2)) {
      run += c;
    } else if (text.compare(i, 4, "None") == 0) {
      flush_number();
      out += st.color("38;5;45", "None");
      i += 3;
    } else {
      flush_number();
      out += c;
    }
  }
  flush_number();
  return out;
}

}  // namespace

int summary_line_length() {
  int columns = 80;
  if (const char* env = std::getenv("COLUMNS"); env && std::atoi(env) > 0) {
    columns = std::atoi(env);
  } else if (stdout_is_terminal()) {
    winsize ws{};
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) columns = ws.ws_col;
  }
  return std::min(88, columns - 4);
}

std::string with_thousands(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string readable_memory_size(double bytes) {
  static const char* units[] = {"B", "KB", "MB", "GB", "TB", "PB"};
  int u = 0;
  while (bytes >= 1024 && u < 5) {
    bytes /= 1024;
    ++u;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f %s", bytes, units[u]);
  return buf;
}

std::string format_summary(const std::string& model_name, const std::vector<SummaryRow>& rows,
                           const SummaryFooter& footer, int W, bool styled) {
  const Style st{styled};
  const size_t c1 = static_cast<size_t>(int(0.45 * W) - 1);
  const size_t c2 = static_cast<size_t>(int(0.80 * W) - int(0.45 * W) - 2);
  const size_t c3 = static_cast<size_t>(W - int(0.80 * W) - 1);
  const size_t widths[3] = {c1, c2, c3};

  auto rule = [&](const char* l, const char* fill, const char* mid, const char* r) {
    return std::string(l) + repeat(fill, c1) + mid + repeat(fill, c2) + mid + repeat(fill, c3) + r +
           "\n";
  };
  // One table row; cells may wrap onto several lines.
  auto row = [&](const std::string(&cells)[3], const char* bar, bool header) {
    std::vector<std::string> lines[3];
    size_t height = 1;
    for (int i = 0; i < 3; ++i) {
      lines[i] = wrap(cells[i], widths[i] - 2);
      height = std::max(height, lines[i].size());
    }
    std::string out;
    for (size_t h = 0; h < height; ++h) {
      out += bar;
      for (int i = 0; i < 3; ++i) {
        const std::string text = h < lines[i].size() ? lines[i][h] : "";
        const size_t pad = widths[i] - 2 - display_width(text);
        const bool right = i == 2;
        std::string body =
            right ? std::string(pad, ' ') + style_cell(text, i, header ? Style{false} : st)
                  : style_cell(text, i, header ? Style{false} : st) + std::string(pad, ' ');
        body = " " + body + " ";
        out += (header ? st.bold(body) : body) + bar;
      }
      out += "\n";
    }
    return out;
  };

  std::string out = st.bold("Model: \"" + model_name + "\"") + "\n";
  out += rule("\u250f", "\u2501", "\u2533", "\u2513");
  out += row({"Layer (type)", "Output Shape", "Param #"}, "\u2503", true);
  out += rule("\u2521", "\u2501", "\u2547", "\u2529");
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    const std::string params = r.built ? with_thousands(r.params) : "0 (unbuilt)";
    out += row({r.name + " (" + r.class_name + ")", r.built ? r.output_shape : "?", params},
               "\u2502", false);
    if (i + 1 < rows.size()) out += rule("\u251c", "\u2500", "\u253c", "\u2524");
  }
  out += rule("\u2514", "\u2500", "\u2534", "\u2518");

  auto footer_line = [&](const std::string& label, int64_t count, int64_t bytes) {
    return st.bold(" " + label + ": ") + st.color("32", with_thousands(count)) + " (" +
           readable_memory_size(double(bytes)) + ")\n";
  };
  const int64_t opt = footer.has_optimizer ? footer.optimizer_params : 0;
  const int64_t opt_bytes = footer.has_optimizer ? footer.optimizer_bytes : 0;
  out += footer_line("Total params", footer.trainable + footer.non_trainable + opt,
                     footer.trainable_bytes + footer.non_trainable_bytes + opt_bytes);
  out += footer_line("Trainable params", footer.trainable, footer.trainable_bytes);
  out += footer_line("Non-trainable params", footer.non_trainable, footer.non_trainable_bytes);
  if (footer.has_optimizer) out += footer_line("Optimizer params", opt, opt_bytes);
  return out;
}

}  // namespace keras::utils
