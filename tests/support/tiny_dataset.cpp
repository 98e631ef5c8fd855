#include "support/tiny_dataset.hpp"

#include <cstdlib>
#include <fstream>
#include <keras/io/gzip.hpp>
#include <keras/io/npy.hpp>
#include <keras/utils/hash.hpp>

#include "support/test_support.hpp"

namespace keras::testing {

namespace fs = std::filesystem;

std::vector<uint8_t> idx_bytes(std::vector<uint32_t> dims, size_t data_len, uint8_t fill) {
  std::vector<uint8_t> b{0, 0, 0x08, uint8_t(dims.size())};
  for (uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) b.push_back(uint8_t(d >> s));
  b.insert(b.end(), data_len, fill);
  return b;
}

TinyDataset make_tiny_dataset(uint32_t n, uint8_t label) {
  TinyDataset t;
  const std::array<std::vector<uint8_t>, 4> raw = {
      idx_bytes({n, 28, 28}, size_t(n) * 784, label), idx_bytes({n}, n, label),
      idx_bytes({n, 28, 28}, size_t(n) * 784, label), idx_bytes({n}, n, label)};
  for (size_t i = 0; i < 4; ++i) t.gz[i] = io::gzip(raw[i]);
  const int64_t m = n;
  TempDir tmp;
  io::save_npz(tmp / "d.npz",
               {{"x_train", ByteArray({m, 28, 28}, label)},
                {"y_train", ByteArray({m}, label)},
                {"x_test", ByteArray({m, 28, 28}, label)},
                {"y_test", ByteArray({m}, label)}},
               /*compress=*/true);
  t.npz = read_file(tmp / "d.npz");
  return t;
}

datasets::DatasetSpec tiny_spec(const TinyDataset& data, const std::string& name, bool with_npz) {
  datasets::DatasetSpec s;
  s.name = name;
  s.title = "Tiny-" + name;
  const char* names[] = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                         "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};
  for (size_t i = 0; i < 4; ++i)
    s.idx_files[i] = {names[i], utils::sha256_bytes(data.gz[i]), int64_t(data.gz[i].size())};
  if (with_npz)
    s.npz = datasets::RemoteFile{name + ".npz", utils::sha256_bytes(data.npz),
                                 int64_t(data.npz.size())};
  s.keras_cache = with_npz ? fs::path(name + ".npz") : fs::path(name);
  s.origins = {{"http://127.0.0.1:1/", false}};
  s.data_dir_itself = false;
  return s;
}

void write_file(const fs::path& path, const std::vector<uint8_t>& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

std::vector<uint8_t> read_file(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

ScopedEnv::~ScopedEnv() {
  for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
    if (it->second)
      ::setenv(it->first.c_str(), it->second->c_str(), 1);
    else
      ::unsetenv(it->first.c_str());
  }
}

void ScopedEnv::save(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  saved_.emplace_back(name, v ? std::optional<std::string>(v) : std::nullopt);
}

void ScopedEnv::set(const std::string& name, const std::string& value) {
  save(name);
  ::setenv(name.c_str(), value.c_str(), 1);
}

void ScopedEnv::unset(const std::string& name) {
  save(name);
  ::unsetenv(name.c_str());
}

}  // namespace keras::testing
