// Small helpers shared by the benchmark programs: clocks, peak memory, the SGEMM probe.
#pragma once

#include <cblas.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <string>
#include <vector>

extern "C" void openblas_set_num_threads(int);

namespace keras::bench {

/// Wall-clock seconds (monotonic).
inline double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

/// CPU seconds used by the whole process (all threads), user + system.
inline double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

/// Peak resident set size of this process so far, in MB (10^6 bytes).
inline double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_maxrss) * 1024.0 / 1e6;
}

inline std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

[[noreturn]] inline void usage(const char* program, const std::string& problem) {
  std::cerr << program << ": " << problem << "\n";
  std::exit(2);
}

/// The best single-thread SGEMM rate of this machine, measured now: OpenBLAS on 512^3 (near its
/// most efficient regime), best of 39 runs (short runs: a busy machine spares some of them). The
/// arithmetic floor of a model divides by this.
inline double peak_sgemm_gflops() {
  openblas_set_num_threads(1);
  const int n = 512;
  std::vector<float> a(size_t(n) * n, 0.5f), b(size_t(n) * n, 0.25f), c(size_t(n) * n);
  double best = 1e30;
  for (int r = 0; r < 40; ++r) {
    const double t = now();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data(), n, b.data(), n,
                0.0f, c.data(), n);
    if (r > 0) best = std::min(best, now() - t);  // the first run warms caches and pages
  }
  return 2.0 * n * n * n / best / 1e9;
}

}  // namespace keras::bench
