// The IDX reader and mnist::load_data: real data, and one test per kind of broken file.
#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>
#include <keras/keras.hpp>

#include "support/test_support.hpp"

using namespace keras;
namespace fs = std::filesystem;

namespace {

std::vector<unsigned char> idx_bytes(uint8_t ndim, std::vector<uint32_t> dims, size_t data_len,
                                     uint8_t fill = 1) {
  std::vector<unsigned char> b{0, 0, 0x08, ndim};
  for (uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<unsigned char>(d >> s));
  b.insert(b.end(), data_len, fill);
  return b;
}

void write_raw(const fs::path& p, const std::vector<unsigned char>& b) {
  std::ofstream f(p, std::ios::binary);
  f.write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
}

void write_gz(const fs::path& p, const std::vector<unsigned char>& b) {
  gzFile f = gzopen(p.c_str(), "wb");
  gzwrite(f, b.data(), unsigned(b.size()));
  gzclose(f);
}

// A complete small MNIST-shaped directory: n train and n test images of 28x28.
void write_dataset(const fs::path& dir, uint32_t n, uint8_t label = 3) {
  write_gz(dir / "train-images-idx3-ubyte.gz", idx_bytes(3, {n, 28, 28}, size_t(n) * 784));
  write_gz(dir / "train-labels-idx1-ubyte.gz", idx_bytes(1, {n}, n, label));
  write_raw(dir / "t10k-images-idx3-ubyte",
            idx_bytes(3, {n, 28, 28}, size_t(n) * 784));  // raw works too
  write_gz(dir / "t10k-labels-idx1-ubyte.gz", idx_bytes(1, {n}, n, label));
}

// Only a keras::IOError counts: a reader must report a bad file as one.
template <class F>
std::string error_of(F&& f) {
  return keras::testing::error_of<IOError>(std::forward<F>(f));
}

}  // namespace

TEST(Mnist, LoadsTheRealDataWithKerasShapes) {
  KERASCPP_REQUIRE_MNIST(dir);
  auto [x_train, y_train, x_test, y_test] = datasets::mnist::load_data(dir);
  EXPECT_EQ(x_train.shape(), Shape({60000, 28, 28}));
  EXPECT_EQ(y_train.shape(), Shape({60000}));
  EXPECT_EQ(x_test.shape(), Shape({10000, 28, 28}));
  EXPECT_EQ(y_test.shape(), Shape({10000}));
  EXPECT_EQ(x_train.dtype(), "uint8");
  EXPECT_EQ(y_test.head(5).str(), "[7 2 1 0 4]");
  EXPECT_EQ(y_train.head(5).str(), "[5 0 4 1 9]");
  int64_t sevens = 0;
  for (uint8_t v : y_test) sevens += v == 7;
  EXPECT_EQ(sevens, 1028);
}

TEST(Mnist, ReadsGzipAndRawFiles) {
  keras::testing::TempDir tmp;
  write_dataset(tmp.path(), 5);
  auto d = datasets::load_idx_directory(tmp.path());
  EXPECT_EQ(d.x_test.shape(), Shape({5, 28, 28}));
  EXPECT_EQ(d.y_train[4], 3);
}

TEST(Mnist, MissingFileNamesTheFileAndTheWayOut) {
  keras::testing::TempDir tmp;
  write_dataset(tmp.path(), 2);
  fs::remove(tmp / "t10k-labels-idx1-ubyte.gz");
  const auto msg = error_of([&] { datasets::mnist::load_data(tmp.path()); });
  EXPECT_NE(msg.find("t10k-labels-idx1-ubyte"), std::string::npos) << msg;
  EXPECT_NE(msg.find("not found"), std::string::npos) << msg;
}

TEST(Mnist, MissingDirectoryIsAClearError) {
  const auto msg = error_of([] { datasets::mnist::load_data(fs::path("/nonexistent/mnist")); });
  EXPECT_NE(msg.find("/nonexistent/mnist"), std::string::npos) << msg;
}

TEST(Mnist, BadMagicIsRejected) {
  keras::testing::TempDir tmp;
  auto b = idx_bytes(3, {1, 28, 28}, 784);
  b[0] = 0x50;  // e.g. a PNG or text file renamed
  write_raw(tmp / "x", b);
  EXPECT_NE(error_of([&] { datasets::read_idx(tmp / "x"); }).find("bad magic"), std::string::npos);
  b[0] = 0;
  b[2] = 0x0D;  // float32 IDX: not what MNIST uses
  write_raw(tmp / "x", b);
  EXPECT_NE(error_of([&] { datasets::read_idx(tmp / "x"); }).find("element type"),
            std::string::npos);
}

TEST(Mnist, TruncatedDataIsRejectedForRawAndGzip) {
  keras::testing::TempDir tmp;
  auto b = idx_bytes(3, {10, 28, 28}, 784 * 10 - 100);
  write_raw(tmp / "raw", b);
  write_gz(tmp / "gz", b);
  EXPECT_NE(error_of([&] { datasets::read_idx(tmp / "raw"); }).find("truncated"),
            std::string::npos);
  EXPECT_NE(error_of([&] { datasets::read_idx(tmp / "gz"); }).find("truncated"), std::string::npos);
  // A gzip stream cut in the middle.
  std::ifstream in(tmp / "gz", std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), {});
  std::ofstream(tmp / "cut", std::ios::binary)
      .write(bytes.data(), std::streamsize(bytes.size() / 2));
  EXPECT_NE(error_of([&] { datasets::read_idx(tmp / "cut"); }), "(no error)");
}

TEST(Mnist, AbsurdDeclaredSizeDoesNotAllocate) {
  keras::testing::TempDir tmp;
  write_raw(tmp / "huge", idx_bytes(3, {0xFFFFFFFFu, 0xFFFFu, 0xFFFFu}, 16));
  EXPECT_NE(error_of([&] { datasets::read_idx(tmp / "huge"); }).find("2 GiB"), std::string::npos);
  write_raw(tmp / "big", idx_bytes(3, {60000, 28, 28}, 16));
  EXPECT_NE(error_of([&] { datasets::read_idx(tmp / "big"); }).find("truncated"),
            std::string::npos);
}

TEST(Mnist, WrongDimensionsCountMismatchAndBadLabels) {
  keras::testing::TempDir tmp;
  write_dataset(tmp.path(), 4);
  write_gz(tmp / "train-images-idx3-ubyte.gz", idx_bytes(3, {4, 32, 32}, 4 * 1024));
  EXPECT_NE(error_of([&] { datasets::mnist::load_data(tmp.path()); }).find("(N, 28, 28)"),
            std::string::npos);

  write_dataset(tmp.path(), 4);
  write_gz(tmp / "train-labels-idx1-ubyte.gz", idx_bytes(1, {3}, 3));
  EXPECT_NE(error_of([&] { datasets::mnist::load_data(tmp.path()); }).find("3 labels for 4 images"),
            std::string::npos);

  write_dataset(tmp.path(), 4, /*label=*/12);
  const auto msg = error_of([&] { datasets::mnist::load_data(tmp.path()); });
  EXPECT_NE(msg.find("label 12"), std::string::npos) << msg;
}

TEST(Mnist, TrailingBytesAreRejected) {
  keras::testing::TempDir tmp;
  auto b = idx_bytes(1, {3}, 5);
  write_raw(tmp / "y", b);
  EXPECT_NE(error_of([&] { datasets::read_idx(tmp / "y"); }).find("trailing"), std::string::npos);
}
