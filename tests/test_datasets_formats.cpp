// The file formats behind the data sets: SHA-256, gzip, IDX from memory, .npy and .npz (files
// written by numpy itself, and every kind of damage), and the inputs fuzzing found.
#include <gtest/gtest.h>

#include <keras/keras.hpp>

#include "support/test_support.hpp"
#include "support/tiny_dataset.hpp"

using keras::testing::error_of;
using namespace keras;
namespace fs = std::filesystem;
using keras::testing::idx_bytes;

namespace {

const fs::path kCorpus = fs::path(KERASCPP_SOURCE_DIR) / "tests" / "fuzz_datasets" / "corpus";
const fs::path kRegressions =
    fs::path(KERASCPP_SOURCE_DIR) / "tests" / "fuzz_datasets" / "regressions";

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

// ---- zip (the one reader and writer behind .npz and .keras) ----------------------------------

namespace {
// Sets a little-endian field of every local and central header of `zip` (one entry each).
void patch_headers(std::string& zip, size_t local_off, size_t central_off, uint32_t value,
                   size_t width) {
  for (const auto& [sig, off] : {std::pair{std::string("PK\x03\x04", 4), local_off},
                                 std::pair{std::string("PK\x01\x02", 4), central_off}})
    for (size_t at = zip.find(sig); at != std::string::npos; at = zip.find(sig, at + 4))
      for (size_t b = 0; b < width; ++b) zip[at + off + b] = char(value >> (8 * b));
}
}  // namespace

TEST(DatasetsZip, WriterAndReaderRoundTripFromPathAndBytes) {
  keras::testing::TempDir tmp;
  const std::string text(5000, 'a');
  io::ZipWriter w;
  w.add("a.txt", text, {.mtime = io::zip_epoch(), .compress = true});
  w.add("b.bin", std::vector<uint8_t>{1, 2, 3});
  w.write(tmp / "x.zip");
  auto from_path = io::ZipReader::open(tmp / "x.zip");
  auto from_bytes = io::ZipReader::from_bytes(io::read_file(tmp / "x.zip"), "mem");
  for (const io::ZipReader* z : {&from_path, &from_bytes}) {
    ASSERT_EQ(z->entries().size(), 2u);
    EXPECT_FALSE(z->entries()[0].stored());
    EXPECT_TRUE(z->entries()[1].stored());
    EXPECT_EQ(z->read("a.txt", 5000), text);
    EXPECT_EQ(z->read("b.bin", 3), "\x01\x02\x03");
    EXPECT_ERROR_HAS(z->read("a.txt", 4999), "declares 5000 bytes, more than the limit of 4999");
    EXPECT_ERROR_HAS(z->read("c", 1), "has no entry 'c'");
    // A big entry read piecewise, without a copy of the whole.
    auto s = z->stream(*z->find("a.txt"));
    std::vector<uint8_t> part(4096);
    s.read_exact(part);
    EXPECT_EQ(s.read(part), 5000u - 4096u);
    s.expect_end();
  }
  EXPECT_ERROR_HAS(io::ZipReader::open(tmp / "nope.zip"),
                   "zip archive '" + (tmp / "nope.zip").string() + "': not found");
  EXPECT_ERROR_HAS(io::ZipReader::open(tmp.path()), "not a regular file");
  EXPECT_ERROR_HAS(io::ZipReader::from_bytes("PK not really", "junk"),
                   "zip archive 'junk': cannot be read as a zip file");
  io::ZipWriter empty;
  EXPECT_EQ(io::ZipReader::from_bytes(empty.finish()).entries().size(), 0u);
}

TEST(DatasetsZip, ReaderRefusesWhatItCannotTrust) {
  io::ZipWriter w;
  w.add("x.npy", std::string(64, 'x'));
  const std::string good = w.finish();
  auto refused = [&](auto patch, const std::string& message) {
    std::string bad = good;
    patch(bad);
    EXPECT_ERROR_HAS(io::ZipReader::from_bytes(bad, "bad").read("x.npy", 1 << 20), message);
  };
  // Compression method (local offset 8, central 10): 12 is bzip2.
  refused([](std::string& z) { patch_headers(z, 8, 10, 12, 2); },
          "unsupported compression method 12");
  // Traditional encryption: general purpose flag bit 0 (local 6, central 8).
  refused([](std::string& z) { patch_headers(z, 6, 8, 1, 2); }, "encrypted");
  // Declared sizes (compressed: local 18, central 20; uncompressed: local 22, central 24).
  refused([](std::string& z) { patch_headers(z, 22, 24, 65, 4); },
          "stored entry declares 65 bytes but holds 64");
  // More compressed bytes than the archive has: libzip refuses it when opening (our own check
  // backs it up), either way an IOError naming the archive.
  refused([](std::string& z) { patch_headers(z, 18, 20, 1 << 20, 4); }, "zip archive 'bad'");
  // A flipped data byte: the CRC, found at the end of the entry.
  refused([](std::string& z) { z[z.find(std::string(64, 'x'))] = 'y'; }, "CRC");
  // A deflated entry declaring more than DEFLATE can expand to (a "zip bomb").
  io::ZipWriter deflated;
  deflated.add("x.npy", std::string(64, 'x'), {.compress = true});
  std::string bomb = deflated.finish();
  patch_headers(bomb, 22, 24, 0x7fffffff, 4);
  EXPECT_ERROR_HAS(io::ZipReader::from_bytes(bomb, "bomb").read("x.npy", uint64_t(1) << 40),
                   "impossible for");
  // Two entries of the same name (libzip refuses them too).
  io::ZipWriter twice;
  twice.add("a.npy", "1");
  twice.add("b.npy", "2");
  std::string dup = twice.finish();
  for (size_t at = dup.find("b.npy"); at != std::string::npos; at = dup.find("b.npy", at))
    dup[at] = 'a';
  EXPECT_ERROR_HAS(io::ZipReader::from_bytes(dup, "dup"), "zip archive 'dup'");
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
  // Nothing is left behind by the failed write, not even a temporary file.
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
    io::ZipWriter z;
    z.add("sub/x.npy", io::npy_bytes(ByteArray({1})));
    z.write(tmp / "dir.npz");
  }
  EXPECT_ERROR_HAS(io::NpzFile(tmp / "dir.npz"), "path component");
  EXPECT_FALSE(io::is_plain_entry_name(".."));
  EXPECT_FALSE(io::is_plain_entry_name("a\\b.npy"));
  EXPECT_TRUE(io::is_plain_entry_name("x_train.npy"));

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

// Every crash the fuzz targets found was fixed and its input kept in
// tests/fuzz_datasets/regressions; each must now load or be refused with a keras::Error (under
// ASan/UBSan in CI). The seeds are replayed too.
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
