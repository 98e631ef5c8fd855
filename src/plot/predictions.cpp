// keras::plot::predictions: a grid of grayscale images drawn by gnuplot's `with image` from
// inline binary data, each under a coloured title; laid out as matplotlib's
// subplot(rows, 5) + imshow + tight_layout.
#include "keras/plot/predictions.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "keras/core/error.hpp"
#include "render.hpp"

namespace keras::plot::detail {
namespace {

[[noreturn]] void bad(const std::string& problem) {
  throw ValueError("plot::predictions: " + problem);
}

// What a title calls class k: its name, or the index.
std::string class_name(int64_t k, const std::vector<std::string>& names, const char* what,
                       int64_t image) {
  if (names.empty()) return std::to_string(k);
  if (k < 0 || k >= static_cast<int64_t>(names.size()))
    bad(std::string(what) + " class " + std::to_string(k) + " of image " + std::to_string(image) +
        " has no name: class_names holds " + std::to_string(names.size()));
  return names[static_cast<size_t>(k)];
}

}  // namespace

void plot_predictions(const Tensor& images, const NDArray<int64_t>& labels,
                      const Tensor& probabilities, const std::filesystem::path& path,
                      const PredictionPlotOptions& options) {
  const int64_t n = options.n;
  if (n < 1) bad("n is " + std::to_string(n) + "; draw at least one image");
  if (options.columns < 1)
    bad("columns is " + std::to_string(options.columns) + "; it must be at least 1");
  const Shape& is = images.shape();
  const bool one_channel = is.rank() == 4 && is[3] == 1;
  if (!(is.rank() == 3 || one_channel))
    bad("images must be (N, height, width) or (N, height, width, 1) grayscale; got shape " +
        is.str());
  if (is[0] < n)
    bad("images hold " + std::to_string(is[0]) + " images, fewer than n = " + std::to_string(n));
  if (is[1] < 1 || is[2] < 1) bad("images of shape " + is.str() + " are empty");
  if (!(labels.ndim() == 1 || (labels.ndim() == 2 && labels.shape()[1] == 1)) ||
      labels.shape()[0] < n)
    bad("labels must be (N,) with N >= n = " + std::to_string(n) + "; got shape " +
        labels.shape().str());
  if (probabilities.ndim() != 2 || probabilities.shape()[0] < n || probabilities.shape()[1] < 1)
    bad("probabilities must be (N, classes) with N >= n = " + std::to_string(n) + "; got shape " +
        probabilities.shape().str() + " (pass model.predict(x_test.head(n)))");

  const int64_t cols = std::min(n, options.columns), rows = (n + cols - 1) / cols;
  const Canvas canvas = make_canvas(
      path, options.figsize, {2.4 * static_cast<double>(cols), 2.0 * static_cast<double>(rows)},
      options.dpi, options.font, "predictions");
  const utils::Language lang = options.lang.value_or(utils::default_language());

  const NDArray<int64_t> predicted = probabilities.argmax(1);
  std::vector<std::string> titles;
  double widest_em = 0;
  for (int64_t i = 0; i < n; ++i) {
    titles.push_back(utils::format(utils::tr(utils::Message::prediction_title, lang),
                                   {class_name(predicted[i], options.class_names, "predicted", i),
                                    class_name(labels[i], options.class_names, "true", i)}));
    widest_em = std::max(widest_em, text_width_em(titles.back()));
  }

  // Layout in points; gnuplot gets fractions of the canvas.
  const double W = canvas.width_pt(), H = canvas.height_pt();
  const double cell_w = W / static_cast<double>(cols), cell_h = H / static_cast<double>(rows);
  const double title_pt =
      std::clamp(0.95 * cell_w / std::max(widest_em, 1.0), 5.0, style::title_size);
  const double title_h = 1.25 * title_pt, gap = 0.5 * title_pt;
  const double pad_x = 0.06 * cell_w, pad_y = 0.06 * cell_h;
  const int64_t h = is[1], w = is[2];
  const double scale =
      std::max(0.0, std::min((cell_w - 2 * pad_x) / static_cast<double>(w),
                             (cell_h - 2 * pad_y - title_h - gap) / static_cast<double>(h)));
  const double img_w = scale * static_cast<double>(w), img_h = scale * static_cast<double>(h);

  std::string s;
  s += "set palette defined (0 'black', 1 'white')\n";  // matplotlib's linear 'gray'
  s += "unset colorbox\nunset border\nunset tics\nunset key\nunset title\n";
  s += "set xrange [-0.5:" + std::to_string(w) + "-0.5] noextend\n";
  s += "set yrange [-0.5:" + std::to_string(h) + "-0.5] noextend\n";
  s += "set multiplot\n";
  const float* pixels = images.data();
  const int64_t image_size = h * w;
  for (int64_t i = 0; i < n; ++i) {
    const double cell_x = static_cast<double>(i % cols) * cell_w;
    const double cell_top = H - static_cast<double>(i / cols) * cell_h;
    const double top = cell_top - (cell_h - (title_h + gap + img_h)) / 2;  // title + image, centred
    const double left = cell_x + (cell_w - img_w) / 2;
    const double img_top = top - title_h - gap;
    const bool right = predicted[i] == labels[i];
    s += "unset label\n";
    s += "set label 1 " + quote(titles[static_cast<size_t>(i)]) + " at screen " +
         number((cell_x + cell_w / 2) / W) + "," + number((top - title_h / 2) / H) +
         " center tc rgb '" + std::string(right ? style::green : style::red) + "' " +
         font_spec(canvas, title_pt) + "\n";
    s += "set lmargin at screen " + number(left / W) + "\nset rmargin at screen " +
         number((left + img_w) / W) + "\n";
    s += "set tmargin at screen " + number(img_top / H) + "\nset bmargin at screen " +
         number((img_top - img_h) / H) + "\n";

    // imshow's default scaling: darkest pixel black, brightest white (a flat image is black).
    const float* image = pixels + i * image_size;
    float lo = std::numeric_limits<float>::infinity(), hi = -lo;
    for (int64_t k = 0; k < image_size; ++k)
      if (std::isfinite(image[k])) lo = std::min(lo, image[k]), hi = std::max(hi, image[k]);
    if (!(lo < hi)) hi = (std::isfinite(lo) ? lo : (lo = 0)) + 1;
    s += "set cbrange [" + number(lo) + ":" + number(hi) + "]\n";
    s += "plot '-' binary array=(" + std::to_string(w) + "," + std::to_string(h) +
         ") format='%float' flipy with image\n";
    s.append(reinterpret_cast<const char*>(image), static_cast<size_t>(image_size) * sizeof(float));
  }
  s += "unset multiplot\n";
  render(path, canvas, s);
}

}  // namespace keras::plot::detail
