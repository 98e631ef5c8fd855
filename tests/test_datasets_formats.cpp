// The file formats behind the data sets: SHA-256, gzip, IDX from memory, .npy and .npz (files
// written by numpy itself, and every kind of damage), and the inputs fuzzing found.
#include <gtest/gtest.h>

#include <keras/keras.hpp>

#include "support/test_support.hpp"
#include "support/tiny_dataset.hpp"

using namespace keras;
namespace fs = std::filesystem;
using keras::testing::idx_bytes;

namespace {

const fs::path kCorpus = fs::path(KERASCPP_SOURCE_DIR) / "tests" / "fuzz_datasets" / "corpus";
const fs::path kRegressions = fs::path(KERASCPP_SOURCE_DIR) / "tests" / "fuzz_datasets" / "regressions";

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

#define EXPECT_ERROR_HAS(expr, text)                          \
  do {                                                        \
    const std::string msg_ = error_of([&] { (void)(expr); }); \
    EXPECT_NE(msg_.find(text), std::string::npos) << msg_;    \
  } while (0)

std::span<const uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

// ---- SHA-256 ----------------------------------------------------------------------------------

TEST(DatasetsHash, Sha256KnownAnswers) {
  EXPECT_EQ(utils::sha256_bytes({}),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(utils::sha256_bytes(bytes_of("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  keras::testing::TempDir tmp;
  const std::vector<uint8_t> big(3 << 20, 0x61);  // spans several read chunks
  keras::testing::write_file(tmp / "f", big);
  EXPECT_EQ(utils::sha256_file(tmp / "f"), utils::sha256_bytes(big));
  EXPECT_ERROR_HAS(utils::sha256_file(tmp / "missing"), "missing");
}

// ---- gzip -------------------------------------------------------------------------------------

TEST(DatasetsGzip, RoundTripAndEveryKindOfDamage) {
  const auto raw = idx_bytes({50}, 50, 9);
  auto gz = io::gzip(raw);
  ASSERT_TRUE(io::is_gzip(gz));
  std::vector<uint8_t> out(io::gzip_output_size(gz, 1000, "t"));
  io::gunzip_into(gz, out, "t");
  EXPECT_EQ(out, raw);

  auto bad_crc = gz;
  bad_crc[bad_crc.size() - 6] ^= 1;
  EXPECT_ERROR_HAS(io::gunzip_into(bad_crc, out, "t"), "CRC");
  EXPECT_ERROR_HAS(io::gzip_output_size(std::span(gz).first(10), 1000, "t"), "truncated");
  auto lying = gz;  // trailer claims 4 GiB - 1
  for (size_t i = lying.size() - 4; i < lying.size(); ++i) lying[i] = 0xff;
  EXPECT_ERROR_HAS(io::gzip_output_size(lying, uint64_t(1) << 40, "t"), "impossible");
  EXPECT_ERROR_HAS(io::gzip_output_size(gz, 10, "t"), "more than the 10 allowed");
  auto two = gz;
  two.insert(two.end(), gz.begin(), gz.end());
  std::vector<uint8_t> out2(raw.size());
  EXPECT_ERROR_HAS(io::gunzip_into(two, out2, "t"), "follow the end of the gzip stream");
}

// ---- IDX from memory --------------------------------------------------------------------------

TEST(DatasetsIdx, DecodesRawAndGzipFromMemoryAndRejectsLies) {
  const auto raw = idx_bytes({2, 3}, 6, 4);
  EXPECT_EQ(datasets::decode_idx(raw).shape(), Shape({2, 3}));
  const auto d = datasets::decode_idx(io::gzip(raw));
  EXPECT_EQ(d.shape(), Shape({2, 3}));
  EXPECT_EQ(d[5], 4);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(d.data()) % 64, 0u) << "the data stays 64-byte aligned";
  EXPECT_EQ(datasets::decode_idx(idx_bytes({0}, 0)).size(), 0);

  EXPECT_ERROR_HAS(datasets::decode_idx(std::span(raw).first(3), "short"),
                   "IDX file 'short': truncated");
  EXPECT_ERROR_HAS(datasets::decode_idx(idx_bytes({2, 0}, 0)), "dimension 1 is zero");
  auto five_dims = idx_bytes({1, 1, 1, 1}, 1);
  five_dims[3] = 5;
  EXPECT_ERROR_HAS(datasets::decode_idx(five_dims), "number of dimensions 5");
  EXPECT_ERROR_HAS(datasets::decode_idx(io::gzip(idx_bytes({9}, 3))), "truncated");
  // A gzip trailer declaring far more than its bytes can hold is refused before allocating.
  auto gz = io::gzip(idx_bytes({1000000}, 1000000, 0));
  for (size_t i = gz.size() - 4; i < gz.size(); ++i) gz[i] = 0x7f;
  EXPECT_ERROR_HAS(datasets::decode_idx(gz), "gzip trailer declares");
}

// ---- NPY --------------------------------------------------------------------------------------

TEST(DatasetsNpy, RoundTripsEveryDtypeAndShape) {
  keras::testing::TempDir tmp;
  const io::AnyArray arrays[] = {ByteArray({2, 3}, 7),
                                 NDArray<int32_t>({4}, -5),
                                 NDArray<int64_t>({1, 1, 2}, 1 << 30),
                                 NDArray<float>({3}, 0.5f),
                                 NDArray<double>(Shape{}, 2.25),
                                 NDArray<float>({0, 4})};
  for (const auto& a : arrays) {
    const auto bytes = io::npy_bytes(a);
    EXPECT_EQ(io::parse_npy_header(bytes, "x").header_size % 64, 0u);
    const auto back = io::parse_npy(bytes);
    ASSERT_EQ(back.index(), a.index());
    std::visit(
        [&](const auto& x) {
          const auto& y = std::get<std::decay_t<decltype(x)>>(back);
          EXPECT_EQ(x.shape(), y.shape());
          for (int64_t i = 0; i < x.size(); ++i) EXPECT_EQ(x.data()[i], y.data()[i]);
        },
        a);
  }
  keras::testing::write_file(tmp / "a.npy", io::npy_bytes(arrays[0]));
  EXPECT_EQ(std::get<ByteArray>(io::load_npy(tmp / "a.npy")).shape(), Shape({2, 3}));
}

TEST(DatasetsNpy, ReadsFilesWrittenByNumpy) {
  const auto f4 = std::get<NDArray<float>>(
      io::load_npy(kCorpus / "npz" / "f4-2d.npy"));  // np.arange(6).reshape(2, 3)
  EXPECT_EQ(f4.shape(), Shape({2, 3}));
  EXPECT_EQ(f4.data()[5], 5.0f);
  const auto f8 =
      std::get<NDArray<double>>(io::load_npy(kCorpus / "npz" / "f8-v2.npy"));  // format 2.0
  EXPECT_EQ(f8.data()[2], 2.0);
  const auto scalar = std::get<NDArray<int32_t>>(io::load_npy(kCorpus / "npz" / "i4-scalar.npy"));
  EXPECT_EQ(scalar.shape(), Shape{});
  EXPECT_EQ(scalar.data()[0], 7);
  EXPECT_EQ(std::get<NDArray<int64_t>>(io::load_npy(kCorpus / "npz" / "i8-empty.npy")).shape(),
            Shape({0, 3}));
  EXPECT_ERROR_HAS(io::load_npy(kCorpus / "npz" / "fortran.npy"), "Fortran-order");
  EXPECT_ERROR_HAS(io::load_npy(kCorpus / "npz" / "big-endian.npy"), "big-endian dtype '>f4'");
  EXPECT_ERROR_HAS(io::load_npy(kCorpus / "npz" / "structured.npy"), "structured dtypes");
}

TEST(DatasetsNpy, RejectsMalformedHeadersAndSizes) {
  auto with_header = [](const std::string& dict, size_t data_len = 0) {
    std::string b = std::string("\x93NUMPY\x01\x00", 8) + char(dict.size() & 0xff) +
                    char(dict.size() >> 8) + dict;
    b.append(data_len, '\0');
    return std::vector<uint8_t>(b.begin(), b.end());
  };
  const std::string ok = "{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }\n";
  EXPECT_EQ(std::get<ByteArray>(io::parse_npy(with_header(ok, 3))).size(), 3);
  EXPECT_ERROR_HAS(io::parse_npy(with_header(ok, 2)), "truncated");
  EXPECT_ERROR_HAS(io::parse_npy(with_header(ok, 4)), "after the data");
  EXPECT_ERROR_HAS(io::parse_npy(bytes_of("PK\3\4 not npy")), "bad magic");
  auto v4 = with_header(ok, 3);
  v4[6] = 4;
  EXPECT_ERROR_HAS(io::parse_npy(v4), "version 4.0");
  EXPECT_ERROR_HAS(io::parse_npy(with_header("{'descr': '|u1', 'shape': (3,)}")), "missing key");
  EXPECT_ERROR_HAS(
      io::parse_npy(with_header("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), 'x': 1}")),
      "unexpected key 'x'");
  EXPECT_ERROR_HAS(
      io::parse_npy(with_header("{'descr': '<c8', 'fortran_order': False, 'shape': (1,)}")),
      "unsupported dtype '<c8'");
  EXPECT_ERROR_HAS(
      io::parse_npy(with_header("{'descr': '|u1', 'fortran_order': False, 'shape': (3,}")),
      "malformed header");
  EXPECT_ERROR_HAS(
      io::parse_npy(with_header(
          "{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000, 100000)}")),
      "more than 16 GiB");
  std::vector<uint8_t> huge_header = {0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 0, 0, 0, 0x10};
  EXPECT_ERROR_HAS(io::parse_npy(huge_header), "absurd");
}

// ---- NPZ --------------------------------------------------------------------------------------

TEST(DatasetsNpz, SavezRoundTripStoredAndCompressed) {
  keras::testing::TempDir tmp;
  for (bool compress : {false, true}) {
    io::save_npz(tmp / "a.npz", {{"x", ByteArray({2, 2}, 3)}, {"w", NDArray<float>({3}, 1.5f)}},
                 compress);
    io::NpzFile f(tmp / "a.npz");
    EXPECT_EQ(f.keys(), (std::vector<std::string>{"x", "w"}));
    EXPECT_EQ(f.get<uint8_t>("x")[3], 3);
    EXPECT_EQ(f.get<float>("w").data()[2], 1.5f);
    EXPECT_ERROR_HAS(f.get<uint8_t>("w"), "array 'w' has dtype float32, expected uint8");
    EXPECT_ERROR_HAS(f.get("nope"), "no array 'nope' (it holds: x, w)");
  }
  EXPECT_FALSE(fs::exists(tmp / "b.npz"));
  EXPECT_THROW(io::save_npz(tmp / "b.npz", {{"../x", ByteArray({1})}}), ValueError);
  // Nothing is left behind by the failed write, not even libzip's temporary file.
  size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(tmp.path())) ++files;
  EXPECT_EQ(files, 1u);
}

TEST(DatasetsNpz, ReadsArchivesWrittenByNumpy) {
  for (const char* name : {"savez.npz", "savez_compressed.npz"}) {
    io::NpzFile f(kCorpus / "npz" / name);
    EXPECT_EQ(f.get<uint8_t>("x")[9], 9) << name;
    EXPECT_EQ(f.get<float>("w").shape(), Shape({2, 2})) << name;
  }
  const auto d = datasets::load_npz_dataset(kCorpus / "npz" / "mnist-like.npz");
  EXPECT_EQ(d.x_train.shape(), Shape({2, 28, 28}));
  EXPECT_EQ(d.y_train.str(), "[7 2]");
}

TEST(DatasetsNpz, RejectsPathComponentsCorruptionAndTruncation) {
  EXPECT_ERROR_HAS(io::NpzFile(kCorpus / "npz" / "path-component.npz"),
                   "'../evil.npy' has a path component");
  keras::testing::TempDir tmp;
  {
    io::streaming::ZipWriter z(tmp / "dir.npz");
    z.add("sub/x.npy", io::npy_bytes(ByteArray({1})), false);
    z.commit();
  }
  EXPECT_ERROR_HAS(io::NpzFile(tmp / "dir.npz"), "path component");
  EXPECT_FALSE(io::streaming::is_plain_entry_name(".."));
  EXPECT_FALSE(io::streaming::is_plain_entry_name("a\\b.npy"));
  EXPECT_TRUE(io::streaming::is_plain_entry_name("x_train.npy"));

  io::save_npz(tmp / "s.npz", {{"x", ByteArray({64}, 1)}}, /*compress=*/false);
  auto bytes = keras::testing::read_file(tmp / "s.npz");
  auto flipped = bytes;
  flipped[30 + 5 + 128 + 10] ^= 0xff;  // local header, "x.npy", npy header, then the data
  io::NpzFile f(flipped, "flipped");
  EXPECT_ERROR_HAS(f.get("x"), "CRC");
  EXPECT_ERROR_HAS(io::NpzFile(std::span(bytes).first(bytes.size() - 30), "cut"),
                   "cannot be read as a zip file");
  EXPECT_ERROR_HAS(io::NpzFile(tmp / "missing.npz"), "not found");
}

// ---- inputs found by fuzzing ------------------------------------------------------------------

// Every crash the fuzz targets found was fixed and its input kept in tests/fuzz_datasets/regressions;
// each must now load or be refused with a keras::Error (under ASan/UBSan in CI). The seeds are
// replayed too.
TEST(DatasetsFuzzRegressions, EveryKeptInputLoadsOrIsRefusedCleanly) {
  size_t n = 0;
  for (const fs::path& root : {kRegressions, kCorpus}) {
    for (const char* kind : {"idx", "npz"}) {
      std::error_code ec;
      for (const auto& e : fs::directory_iterator(root / kind, ec)) {
        const auto bytes = keras::testing::read_file(e.path());
        ++n;
        try {
          if (std::string(kind) == "idx") {
            datasets::decode_idx(bytes, e.path().string());
          } else if (bytes.size() >= 2 && bytes[0] == 'P' && bytes[1] == 'K') {
            io::NpzFile f(bytes, e.path().string());
            for (const auto& k : f.keys()) error_of([&] { f.get(k); });
          } else {
            io::parse_npy(bytes, e.path().string());
          }
        } catch (const Error&) {
        }
      }
    }
  }
  EXPECT_GT(n, 15u);
}
