// The plotting program behind keras::plot: gnuplot (Debian package gnuplot-nox), run as a child
// process fed through a pipe. Nothing here is needed to draw; it tells whether drawing can work.
#pragma once

#include <filesystem>
#include <optional>

namespace keras::plot {

/// The gnuplot that keras::plot runs: $KERASCPP_GNUPLOT when set (a path or a name looked up in
/// $PATH), else `gnuplot` from $PATH. nullopt when it is not there or not executable; drawing
/// then throws keras::IOError saying `apt-get install gnuplot-nox`.
std::optional<std::filesystem::path> find_gnuplot();

}  // namespace keras::plot
