// Private to keras::plot: a figure's canvas, gnuplot's text quoting, and the one function that
// runs gnuplot and writes the picture atomically (all in gnuplot.cpp). history.cpp and
// predictions.cpp build the gnuplot commands; gnuplot.cpp knows terminals, processes, files.
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <string_view>

namespace keras::plot::detail {

/// matplotlib's look (its default style), shared by the pictures.
namespace style {
inline constexpr double font_size = 10;                ///< pt: ticks, axis labels, legend
inline constexpr double title_size = 12;               ///< pt: axes titles
inline constexpr std::string_view blue = "#1f77b4";    ///< colour C0
inline constexpr std::string_view orange = "#ff7f0e";  ///< colour C1
inline constexpr std::string_view green = "#008000";   ///< matplotlib's 'green'
inline constexpr std::string_view red = "#ff0000";     ///< matplotlib's 'red'
}  // namespace style

enum class Format { png, svg };

/// The figure: matplotlib's figsize (inches) and dpi, and the text font.
struct Canvas {
  double width_in = 0, height_in = 0;
  double dpi = 100;
  std::string font;
  Format format = Format::png;

  double width_pt() const { return width_in * 72; }
  double height_pt() const { return height_in * 72; }
};

/// The format a file name asks for: .png or .svg (any case); keras::ValueError otherwise.
Format format_for(const std::filesystem::path& path);

/// The canvas for `path`: `figsize` in inches, or `automatic` when figsize is {0, 0}. Checks
/// the size and dpi (keras::ValueError naming plot::`what` and the bad value).
Canvas make_canvas(const std::filesystem::path& path, std::array<double, 2> figsize,
                   std::array<double, 2> automatic, double dpi, std::string font,
                   std::string_view what);

/// A gnuplot string literal holding `text` verbatim (single quotes: no escapes are processed;
/// control characters become spaces).
std::string quote(std::string_view text);

/// A number for a gnuplot command, exactly (%.17g).
std::string number(double v);

/// `size` pt of the canvas font, as gnuplot's font option: font 'DejaVu Sans,12'.
std::string font_spec(const Canvas& canvas, double size);

/// Rough width of `text` in ems of its font: wide (CJK) characters count 1, others 0.6. Used to
/// place legends and to shrink titles that would not fit; never for anything exact.
double text_width_em(std::string_view text);

/// Runs gnuplot on `commands` (gnuplot commands and inline data, drawing on a terminal set up
/// for `canvas`) and writes the picture to `path`: gnuplot writes a temporary file beside it,
/// renamed onto `path` only once gnuplot has exited successfully. Throws keras::IOError when
/// gnuplot is missing or fails or the directory is missing or not writable; no file is left
/// behind then.
void render(const std::filesystem::path& path, const Canvas& canvas, std::string_view commands);

}  // namespace keras::plot::detail
