// How long mnist::load_data() takes to read the four MNIST .gz files into memory, and where the
// time goes: reading the files, gunzip with zlib (streaming gzread, what the first loader used)
// and with libdeflate (whole buffer, what read_idx uses now), and the SHA-256 check a cached
// copy gets, measured alternately in one run. Exits 1 when load_data takes more than 0.4 s.
//
//   ./build/bench/load_mnist [DIR] [ROUNDS]     (DIR default: $KERASCPP_DATA_DIR)
#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <functional>
#include <keras/keras.hpp>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
const char* kFiles[] = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};

double seconds(const std::function<void()>& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::vector<uint8_t> slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::vector<uint8_t> b(fs::file_size(p));
  in.read(reinterpret_cast<char*>(b.data()), std::streamsize(b.size()));
  return b;
}

size_t zlib_gunzip(const fs::path& p) {
  gzFile f = gzopen(p.c_str(), "rb");
  gzbuffer(f, 1 << 17);
  std::vector<uint8_t> out(64 << 20);
  size_t n = 0;
  int got;
  while ((got = gzread(f, out.data() + n, unsigned(out.size() - n))) > 0) n += size_t(got);
  gzclose(f);
  return n;
}

size_t libdeflate_gunzip(const std::vector<uint8_t>& gz) {
  const uint32_t isize = uint32_t(gz[gz.size() - 4]) | uint32_t(gz[gz.size() - 3]) << 8 |
                         uint32_t(gz[gz.size() - 2]) << 16 | uint32_t(gz[gz.size() - 1]) << 24;
  std::vector<uint8_t> out(isize);
  libdeflate_decompressor* d = libdeflate_alloc_decompressor();
  size_t n = 0;
  libdeflate_gzip_decompress(d, gz.data(), gz.size(), out.data(), out.size(), &n);
  libdeflate_free_decompressor(d);
  return n;
}

// CPU seconds of this process: less disturbed than wall time on a shared machine.
double cpu_seconds(const std::function<void()>& f) {
  const std::clock_t c0 = std::clock();
  f();
  return double(std::clock() - c0) / CLOCKS_PER_SEC;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const char* env = std::getenv("KERASCPP_DATA_DIR");
  const fs::path dir = argc > 1 ? fs::path(argv[1]) : env ? fs::path(env) : fs::path();
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
  if (dir.empty() || !fs::exists(dir / kFiles[0])) {
    std::fprintf(stderr, "usage: load_mnist DIR [ROUNDS]  (DIR holds the four MNIST .gz files)\n");
    return 2;
  }
  std::vector<double> load, load_cpu, read, zlib, deflate, hash;
  for (int r = 0; r < rounds; ++r) {
    double wall = 0;
    load_cpu.push_back(
        cpu_seconds([&] { wall = seconds([&] { keras::datasets::mnist::load_data(dir); }); }));
    load.push_back(wall);
    std::vector<std::vector<uint8_t>> gz;
    read.push_back(seconds([&] {
      for (const char* f : kFiles) gz.push_back(slurp(dir / f));
    }));
    zlib.push_back(seconds([&] {
      for (const char* f : kFiles) zlib_gunzip(dir / f);
    }));
    hash.push_back(seconds([&] {
      for (const char* f : kFiles) keras::utils::sha256_file(dir / f);
    }));
    deflate.push_back(seconds([&] {
      for (const auto& g : gz) libdeflate_gunzip(g);
    }));
  }
  std::printf("MNIST from %s, median of %d rounds (the rounds alternate):\n", dir.c_str(), rounds);
  std::printf(
      "  mnist::load_data(dir), all four files:  %.3f s wall, %.3f s CPU (target <= 0.4 s)\n",
      median(load), median(load_cpu));
  std::printf("  read the .gz files into memory:         %.3f s\n", median(read));
  std::printf("  gunzip, zlib gzread (streaming):        %.3f s\n", median(zlib));
  std::printf("  gunzip, libdeflate (whole buffer):      %.3f s (x%.2f faster than zlib)\n",
              median(deflate), median(zlib) / median(deflate));
  std::printf("  SHA-256 of the .gz files (cache check): %.3f s\n", median(hash));
  return median(load) <= 0.4 ? 0 : 1;
}
