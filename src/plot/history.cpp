// keras::plot::history: one gnuplot multiplot panel per metric, styled as matplotlib's defaults
// (tab10 colours, 1.5 pt lines, outward ticks, 5% margins, MaxNLocator-like ticks, legend at
// the 'best' place).
#include "keras/plot/history.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "keras/core/error.hpp"
#include "render.hpp"

namespace keras::plot {
namespace {

using utils::Language;
using utils::Message;
namespace style = detail::style;

struct Range {
  double lo = 0, hi = 1;
  double span() const { return hi - lo; }
};

// matplotlib's autoscaling: the data's limits plus 5% on each side.
Range padded_range(const std::vector<const std::vector<double>*>& series, bool x_axis) {
  double lo = INFINITY, hi = -INFINITY;
  for (const auto* s : series)
    for (size_t i = 0; i < s->size(); ++i) {
      const double v = x_axis ? static_cast<double>(i) : (*s)[i];
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    }
  if (!(lo <= hi)) return {};
  if (lo == hi) {  // one value: widen as matplotlib's nonsingular() does
    const double d = lo == 0 ? 0.05 : 0.05 * std::abs(lo);
    lo -= d, hi += d;
  }
  const double m = 0.05 * (hi - lo);
  return {lo - m, hi + m};
}

// matplotlib's MaxNLocator (at most 9 intervals, steps 1, 2, 2.5, 5, 10) and its formatter's
// common number of decimals ("0.10 0.15 0.20", not "0.1 0.15 0.2").
struct Ticks {
  double step;
  int decimals;
};
Ticks nice_ticks(Range r) {
  const double raw = r.span() / 9;
  const double scale = std::pow(10.0, std::floor(std::log10(raw)));
  double step = 10 * scale;
  for (double m : {1.0, 2.0, 2.5, 5.0})
    if (m * scale >= raw * (1 - 1e-9)) {
      step = m * scale;
      break;
    }
  int decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
  const double shifted = step * std::pow(10.0, decimals);
  if (std::abs(shifted - std::round(shifted)) > 1e-6) ++decimals;
  return {step, decimals};
}

std::optional<Message> metric_noun(const std::string& metric) {
  if (metric == "loss") return Message::loss;
  if (metric == "accuracy" || metric == "acc") return Message::accuracy;
  return std::nullopt;
}

// "训练损失", "Training loss", "训练 mae", "Mae curve".
std::string metric_label(Message pattern, const std::string& metric, Language lang) {
  const auto noun = metric_noun(metric);
  std::string out;
  if (noun) {
    out = utils::format(utils::tr(pattern, lang), {utils::tr(*noun, lang)});
  } else {
    // Chinese sets a Latin word apart with spaces: 训练 mae, mae 曲线.
    out = utils::format(utils::tr(pattern, lang),
                        {lang == Language::zh ? " " + metric + " " : metric});
    const auto first = out.find_first_not_of(' '), last = out.find_last_not_of(' ');
    out = first == std::string::npos ? "" : out.substr(first, last + 1 - first);
  }
  if (lang == Language::en && !out.empty())
    out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

// The tutorial's axis labels (the same in both languages).
std::string axis_label(const std::string& metric) {
  if (metric == "loss") return "Loss";
  if (metric == "accuracy" || metric == "acc") return "Accuracy";
  return metric;
}

bool is_validation(const std::string& key) {
  return key.rfind("val_", 0) == 0;
}

// The panels: the requested metrics, or every one found (loss first, then alphabetical).
std::vector<std::string> panel_metrics(const std::map<std::string, std::vector<double>>& history,
                                       const std::vector<std::string>& requested) {
  if (history.empty())
    throw ValueError("plot::history: the history is empty; pass what Sequential::fit returned");
  std::set<std::string> found;
  for (const auto& [key, values] : history) found.insert(is_validation(key) ? key.substr(4) : key);
  if (!requested.empty()) {
    for (const auto& m : requested)
      if (!found.count(m)) {
        std::string known;
        for (const auto& f : found) known += (known.empty() ? "" : ", ") + f;
        throw ValueError("plot::history: metric '" + m +
                         "' is not in the history (it has: " + known + ")");
      }
    return requested;
  }
  std::vector<std::string> out;
  if (found.erase("loss")) out.push_back("loss");
  out.insert(out.end(), found.begin(), found.end());
  return out;
}

// matplotlib's legend(loc='best'): the first candidate place covering the fewest points of the
// lines (sampled along each segment). Box size and positions are fractions of the plot area.
std::string best_key_position(const std::vector<const std::vector<double>*>& series, Range xr,
                              Range yr, double box_w, double box_h) {
  struct Place {
    const char* gnuplot;
    double x0, y0;  // lower-left corner
  };
  const double pad = 0.02, right = 1 - pad - box_w, top = 1 - pad - box_h;
  const double mid_x = 0.5 - box_w / 2, mid_y = 0.5 - box_h / 2;
  const Place places[] = {{"right top", right, top},      {"left top", pad, top},
                          {"left bottom", pad, pad},      {"right bottom", right, pad},
                          {"right center", right, mid_y}, {"left center", pad, mid_y},
                          {"center bottom", mid_x, pad},  {"center top", mid_x, top},
                          {"center center", mid_x, mid_y}};
  std::vector<std::pair<double, double>> points;
  for (const auto* s : series)
    for (size_t i = 0; i < s->size(); ++i) {
      // Segment i -> i + 1 (the last point alone), at 21 places along it.
      const double y0 = (*s)[i], y1 = i + 1 < s->size() ? (*s)[i + 1] : y0;
      const double dx = i + 1 < s->size() ? 1 : 0;
      for (int k = 0; k <= 20; ++k) {
        const double t = k / 20.0;
        points.emplace_back((static_cast<double>(i) + t * dx - xr.lo) / xr.span(),
                            (y0 + t * (y1 - y0) - yr.lo) / yr.span());
      }
    }
  const Place* best = &places[0];
  size_t best_count = SIZE_MAX;
  for (const Place& p : places) {
    const auto count =
        static_cast<size_t>(std::count_if(points.begin(), points.end(), [&](const auto& q) {
          return q.first >= p.x0 && q.first <= p.x0 + box_w && q.second >= p.y0 &&
                 q.second <= p.y0 + box_h;
        }));
    if (count < best_count) best = &p, best_count = count;
  }
  return best->gnuplot;
}

}  // namespace

void history(const std::map<std::string, std::vector<double>>& history,
             const std::filesystem::path& path, const HistoryPlotOptions& options) {
  const std::vector<std::string> metrics = panel_metrics(history, options.metrics);
  const auto panels = static_cast<double>(metrics.size());
  const detail::Canvas canvas = detail::make_canvas(path, options.figsize, {6 * panels, 4},
                                                    options.dpi, options.font, "history");
  const Language lang = options.lang.value_or(utils::default_language());

  std::string s;
  s += "set multiplot layout 1," + std::to_string(metrics.size()) + "\n";
  s += "set border 15 lw 0.8\n";
  s += "set tics out nomirror scale 0.6 " + detail::font_spec(canvas, style::font_size) + "\n";
  s += "set xlabel 'Epoch' " + detail::font_spec(canvas, style::font_size) + "\n";
  s += "unset grid\n";
  for (size_t p = 0; p < metrics.size(); ++p) {
    const std::string& metric = metrics[p];
    struct Series {
      const std::vector<double>* values;
      std::string label;
      std::string_view colour;
    };
    std::vector<Series> series;
    if (auto it = history.find(metric); it != history.end())
      series.push_back(
          {&it->second, metric_label(Message::training_series, metric, lang), style::blue});
    if (auto it = history.find("val_" + metric); it != history.end())
      series.push_back(
          {&it->second, metric_label(Message::validation_series, metric, lang), style::orange});
    std::vector<const std::vector<double>*> values;
    for (const auto& se : series) {
      if (se.values->empty())
        throw ValueError("plot::history: the history of '" + metric +
                         "' holds no epoch; nothing to draw");
      values.push_back(se.values);
    }

    const Range xr = padded_range(values, true), yr = padded_range(values, false);
    const Ticks xt = nice_ticks(xr), yt = nice_ticks(yr);
    s += "set title " + detail::quote(metric_label(Message::curve_title, metric, lang)) +
         " offset 0,-0.6 " + detail::font_spec(canvas, style::title_size) + "\n";
    s += "set ylabel " + detail::quote(axis_label(metric)) + " " +
         detail::font_spec(canvas, style::font_size) + "\n";
    s += "set xrange [" + detail::number(xr.lo) + ":" + detail::number(xr.hi) + "]\n";
    s += "set yrange [" + detail::number(yr.lo) + ":" + detail::number(yr.hi) + "]\n";
    s += "set xtics " + detail::number(xt.step) + "\nset format x '%." +
         std::to_string(xt.decimals) + "f'\n";
    s += "set ytics " + detail::number(yt.step) + "\nset format y '%." +
         std::to_string(yt.decimals) + "f'\n";

    // Legend box size in fractions of the plot area (which is about 80% x 72% of the panel).
    double label_em = 0;
    for (const auto& se : series) label_em = std::max(label_em, detail::text_width_em(se.label));
    const double box_w = (label_em + 4) * style::font_size / (canvas.width_pt() / panels * 0.8);
    const double box_h = (static_cast<double>(series.size()) * 1.3 + 0.8) * style::font_size /
                         (canvas.height_pt() * 0.72);
    s += "set key inside " + best_key_position(values, xr, yr, box_w, box_h) +
         " box lt 1 lc rgb '#cccccc' lw 0.8 opaque reverse Left samplen 2 spacing 1.3 " +
         detail::font_spec(canvas, style::font_size) + "\n";

    std::string plot = "plot ";
    for (size_t i = 0; i < series.size(); ++i) {
      const std::string block = "$m" + std::to_string(p) + "_" + std::to_string(i);
      s += block + " << EOD\n";
      for (size_t e = 0; e < series[i].values->size(); ++e)
        s += std::to_string(e) + " " + detail::number((*series[i].values)[e]) + "\n";
      s += "EOD\n";
      const bool single =
          series[i].values->size() == 1;  // one epoch: a dot, since a line needs two
      plot += (i ? ", " : "") + block + " using 1:2 with " +
              (single ? "points pt 7 ps 0.6" : "lines lw 1.5") + " lc rgb '" +
              std::string(series[i].colour) + "' title " + detail::quote(series[i].label);
    }
    s += plot + "\n";
  }
  s += "unset multiplot\n";
  detail::render(path, canvas, s);
}

}  // namespace keras::plot
