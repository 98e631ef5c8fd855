#include "keras/callbacks/model_checkpoint.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "keras/core/error.hpp"
#include "keras/models/sequential.hpp"

namespace keras::callbacks {

namespace {

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// Python's repr of a float: shortest round-trip digits, with ".0" on integral values.
std::string python_float(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, end);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

// One replacement field: value formatted with a Python format spec
// ([[fill]align][sign][0][width][.prec][type]).
std::string format_field(const std::string& name, double value, bool integral,
                         const std::string& spec) {
  auto bad = [&] {
    throw ValueError("invalid format spec '" + spec + "' for field '" + name + "'");
  };
  size_t i = 0;
  char fill = ' ', align = 0, sign = '-';
  auto is_align = [](char c) { return c == '<' || c == '>' || c == '^' || c == '='; };
  if (spec.size() >= 2 && is_align(spec[1])) {
    fill = spec[0];
    align = spec[1];
    i = 2;
  } else if (!spec.empty() && is_align(spec[0])) {
    align = spec[0];
    i = 1;
  }
  if (i < spec.size() && (spec[i] == '+' || spec[i] == '-' || spec[i] == ' ')) sign = spec[i++];
  if (i < spec.size() && spec[i] == '0') {
    if (!align) {
      fill = '0';
      align = '=';
    }
    ++i;
  }
  size_t width = 0;
  while (i < spec.size() && std::isdigit(static_cast<unsigned char>(spec[i])))
    width = width * 10 + size_t(spec[i++] - '0');
  int precision = -1;
  if (i < spec.size() && spec[i] == '.') {
    ++i;
    precision = 0;
    if (i >= spec.size() || !std::isdigit(static_cast<unsigned char>(spec[i]))) bad();
    while (i < spec.size() && std::isdigit(static_cast<unsigned char>(spec[i])))
      precision = precision * 10 + (spec[i++] - '0');
  }
  char type = 0;
  if (i < spec.size()) type = spec[i++];
  if (i != spec.size() || width > 1000 || precision > 100) bad();

  std::string body;
  const double mag = std::fabs(value);
  switch (type) {
    case 'd':
      if (!integral)
        throw ValueError("format code 'd' needs an integer, but field '" + name + "' is a float");
      body = fmt("%.0f", mag);
      break;
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G': {
      const std::string f =
          std::string("%.") + std::to_string(precision < 0 ? 6 : precision) + type;
      body = fmt(f.c_str(), mag);
      break;
    }
    case '%': {
      const std::string f = "%." + std::to_string(precision < 0 ? 6 : precision) + "f";
      body = fmt(f.c_str(), mag * 100) + "%";
      break;
    }
    case 0:
      body = integral ? fmt("%.0f", mag) : python_float(mag);
      break;
    default:
      bad();
  }
  std::string sgn = std::signbit(value) && !(integral && value == 0) ? "-"
                                                                     : (sign == '+'   ? "+"
                                                                        : sign == ' ' ? " "
                                                                                      : "");
  if (!align) align = '>';
  const size_t len = sgn.size() + body.size();
  if (len >= width) return sgn + body;
  const size_t pad = width - len;
  switch (align) {
    case '<':
      return sgn + body + std::string(pad, fill);
    case '^':
      return std::string(pad / 2, fill) + sgn + body + std::string(pad - pad / 2, fill);
    case '=':
      return sgn + std::string(pad, fill) + body;
    default:
      return std::string(pad, fill) + sgn + body;
  }
}

}  // namespace

std::string format_filepath(const std::string& pattern, const Logs& values) {
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '}') {
      if (i + 1 < pattern.size() && pattern[i + 1] == '}') ++i;
      out += '}';
      continue;
    }
    if (c != '{') {
      out += c;
      continue;
    }
    if (i + 1 < pattern.size() && pattern[i + 1] == '{') {
      out += '{';
      ++i;
      continue;
    }
    const size_t close = pattern.find('}', i);
    if (close == std::string::npos)
      throw ValueError("filepath '" + pattern + "' has an unclosed '{'");
    const std::string field = pattern.substr(i + 1, close - i - 1);
    const size_t colon = field.find(':');
    const std::string name = field.substr(0, colon);
    const std::string spec = colon == std::string::npos ? "" : field.substr(colon + 1);
    auto it = values.find(name);
    if (it == values.end()) {
      std::string known;
      for (const auto& [k, v] : values) known += (known.empty() ? "" : ", ") + k;
      throw ValueError("Failed to format this callback filepath: \"" + pattern +
                       "\". Reason: no value named '" + name + "' (available: " + known + ")");
    }
    out += format_field(name, it->second, name == "epoch" || name == "batch", spec);
    i = close;
  }
  return out;
}

ModelCheckpoint::ModelCheckpoint(std::string filepath, ModelCheckpointOptions options)
    : MonitorCallback(options.monitor, options.mode, options.initial_value_threshold),
      filepath_(std::move(filepath)),
      o_(std::move(options)) {
  if (o_.save_freq && *o_.save_freq <= 0)
    throw ValueError("ModelCheckpoint: save_freq must be a positive number of batches");
  if (o_.save_weights_only) {
    if (!filepath_.ends_with(".weights.h5") && !filepath_.ends_with(".h5"))
      throw ValueError(
          "When using save_weights_only in ModelCheckpoint, the filepath must end in `.weights.h5` "
          "(Keras weights format). Received: filepath=" +
          filepath_);
  } else if (filepath_.ends_with(".weights.h5") ||
             (!filepath_.ends_with(".keras") && !filepath_.ends_with(".h5"))) {
    throw ValueError(
        "The filepath provided must end in `.keras` (Keras model format) or `.h5`; `.weights.h5` "
        "needs save_weights_only. Received: filepath=" +
        filepath_);
  }
}

void ModelCheckpoint::on_train_batch_end(int64_t batch, const Logs& logs) {
  if (!o_.save_freq) return;
  batches_since_save_ +=
      batch <= last_batch_seen_ ? batch + 1 : batch - last_batch_seen_;  // new epoch: restart
  last_batch_seen_ = batch;
  if (batches_since_save_ >= *o_.save_freq) {
    batches_since_save_ = 0;
    save_model(current_epoch_, batch, logs);
  }
}

void ModelCheckpoint::on_epoch_end(int epoch, const Logs& logs) {
  if (!monitor_op_set()) set_monitor_op();
  if (!o_.save_freq) save_model(epoch, std::nullopt, logs);
}

bool ModelCheckpoint::should_save(int epoch, const Logs& logs, const std::string& path) {
  if (!monitor_op_set()) set_monitor_op();
  const std::string prefix = "\nEpoch " + std::to_string(epoch + 1) + ": ";
  if (!o_.save_best_only) {
    if (o_.verbose > 0) print_msg(prefix + "saving model to " + path);
    return true;
  }
  auto it = logs.find(monitor_);
  if (it == logs.end()) {
    warn("Can save best model only with " + monitor_ + " available.");
    return true;
  }
  const double current = it->second;
  const std::string best_str = best_ ? format_field("best", *best_, false, ".5f") : "None";
  if (is_improvement(current, best_)) {
    if (o_.verbose > 0)
      print_msg(prefix + monitor_ + " improved from " + best_str + " to " +
                format_field("v", current, false, ".5f") + ", saving model to " + path);
    best_ = current;
    return true;
  }
  if (o_.verbose > 0) print_msg(prefix + monitor_ + " did not improve from " + best_str);
  return false;
}

void ModelCheckpoint::save_model(int epoch, std::optional<int64_t> batch, const Logs& logs) {
  if (!model_)
    throw ValueError("ModelCheckpoint: no model is attached (use it in fit's callbacks)");
  Logs values = logs;
  values["epoch"] = epoch + 1;
  if (batch) values["batch"] = static_cast<double>(*batch + 1);
  const std::string path = format_filepath(filepath_, values);
  if (!should_save(epoch, logs, path)) return;
  if (o_.save_weights_only)
    model_->save_weights(path);
  else
    model_->save(path);
  last_saved_ = path;
  if (o_.verbose > 0)
    print_msg("\nEpoch " + std::to_string(epoch + 1) + ": finished saving model to " + path);
}

}  // namespace keras::callbacks
