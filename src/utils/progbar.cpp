#include "keras/utils/progbar.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>

namespace keras::utils {

namespace {
const std::string kBold = "\x1b[1m", kReset = "\x1b[0m", kGreen = "\x1b[32m", kWhite = "\x1b[37m";
const std::string kBarChar = "\u2501";  // ━

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string format_value(double v, bool use_abs) {
  const double test = use_abs ? std::fabs(v) : v;
  return test > 1e-3 ? fmt("%.4f", v) : fmt("%.4e", v);
}

std::string counter(int64_t current, int64_t target) {
  const int digits = static_cast<int>(std::floor(std::log10(static_cast<double>(target)))) + 1;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%*lld/%lld", digits, static_cast<long long>(current),
                static_cast<long long>(target));
  return buf;
}

std::string eta_format(double eta_seconds) {
  const long eta = static_cast<long>(eta_seconds);
  char buf[64];
  if (eta > 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", eta / 3600, (eta % 3600) / 60, eta % 60);
  else if (eta > 60)
    std::snprintf(buf, sizeof buf, "%ld:%02ld", eta / 60, eta % 60);
  else
    std::snprintf(buf, sizeof buf, "%lds", eta);
  return buf;
}
}  // namespace

bool stdout_is_terminal() {
  return ::isatty(STDOUT_FILENO) == 1;
}

Progbar::Progbar(int64_t target, Options options) : target_(target), opt_(std::move(options)) {
  if (!opt_.out) opt_.out = &std::cout;
  dynamic_ = opt_.dynamic_display.value_or(opt_.out == &std::cout && stdout_is_terminal());
  if (!opt_.clock)
    opt_.clock = [] {
      using namespace std::chrono;
      return duration<double>(steady_clock::now().time_since_epoch()).count();
    };
  start_ = now();
}

double Progbar::now() const {
  return opt_.clock();
}

std::string Progbar::format_time(double t, const std::string& unit) {
  if (t >= 1 || t == 0) return fmt("%.0f", t) + "s/" + unit;
  if (t >= 1e-3) return fmt("%.0f", t * 1e3) + "ms/" + unit;
  return fmt("%.0f", t * 1e6) + "us/" + unit;
}

double Progbar::estimate_step_duration(int64_t current, double t) {
  if (current <= 0) return 0;
  double per;
  if (time_after_first_step_ >= 0 && current > 1)
    per = (t - time_after_first_step_) / double(current - 1);
  else
    per = (t - start_) / double(current);
  if (current == 1) time_after_first_step_ = t;
  return per;
}

void Progbar::update(int64_t current, const std::vector<std::pair<std::string, double>>& values,
                     bool finalize) {
  for (const auto& [k, v] : values) {
    bool known = false;
    for (const auto& o : order_) known = known || o == k;
    if (!known) order_.push_back(k);
  }
  auto value_of = [&](const std::string& k, double& out) {
    for (const auto& [name, v] : values)
      if (name == k) {
        out = v;
        return true;
      }
    return false;
  };
  seen_so_far_ = current;
  const double t = now();
  std::ostream& os = *opt_.out;

  if (opt_.verbose == 1) {
    // Off a terminal only the final line is written (see the header).
    if (!dynamic_ && !finalize) {
      estimate_step_duration(current, t);
      return;
    }
    if (dynamic_ && !finalize && t - last_update_ < opt_.interval) return;
    std::string message;
    if (dynamic_) {
      message.append(total_width_, '\b');
      message.push_back('\r');
    }
    const std::string count = counter(current, target_);
    const int filled = static_cast<int>(opt_.width * (double(current) / double(target_)));
    std::string bar;
    size_t visible = count.size() + 1 + static_cast<size_t>(opt_.width);
    if (dynamic_) {
      bar = kBold + count + kReset + " ";
      if (filled > 0) {
        bar += kGreen;
        for (int i = 0; i < filled; ++i) bar += kBarChar;
        bar += kReset;
      }
      bar += kWhite;
      for (int i = filled; i < opt_.width; ++i) bar += kBarChar;
      bar += kReset;
    } else {
      bar = count + " ";
      for (int i = 0; i < opt_.width; ++i) bar += kBarChar;
    }
    message += bar;
    const double per_step = estimate_step_duration(current, t);
    std::string time_field = current < target_ ? eta_format(per_step * double(target_ - current))
                                               : fmt("%.0f", t - start_) + "s";
    // Built with append(): GCC 12 warns falsely (-Wrestrict) on `" " + std::string` at -O3.
    std::string info(1, ' ');
    if (dynamic_)
      info.append(kBold).append(time_field).append(kReset);
    else
      info.append(time_field);
    visible += 1 + time_field.size();
    const std::string per = format_time(per_step, opt_.unit_name);
    info.append(1, ' ').append(per);
    visible += 1 + per.size();
    for (const auto& k : order_) {
      double v;
      if (!value_of(k, v)) continue;
      std::string item = " - " + k + ": " + format_value(v, true);
      info += item;
      visible += item.size();
    }
    if (dynamic_ && total_width_ > visible) info += std::string(total_width_ - visible, ' ');
    total_width_ = visible;
    if (finalize) info += "\n";
    os << message << info << std::flush;
    last_update_ = t;
  } else if (opt_.verbose == 2 && finalize) {
    const double elapsed = t - start_;
    std::string info = counter(current, target_) + " - " + fmt("%.0f", elapsed) + "s - " +
                       format_time(current > 0 ? elapsed / double(current) : 0, opt_.unit_name);
    for (const auto& k : order_) {
      double v;
      if (value_of(k, v)) info += " - " + k + ": " + format_value(v, false);
    }
    os << info << "\n" << std::flush;
  }
}

}  // namespace keras::utils
