#include "support/test_support.hpp"

#include <unistd.h>

#include <cstdlib>
#include <random>

namespace keras::testing {

std::optional<std::filesystem::path> mnist_dir() {
  namespace fs = std::filesystem;
  if (const char* env = std::getenv("KERASCPP_DATA_DIR"); env && *env) {
    fs::path p(env);
    if (fs::exists(p / "train-images-idx3-ubyte.gz") || fs::exists(p / "train-images-idx3-ubyte"))
      return p;
    if (fs::exists(p / "mnist" / "train-images-idx3-ubyte.gz")) return p / "mnist";
  }
  fs::path beside = fs::path(KERASCPP_SOURCE_DIR) / ".." / "shared" / "data" / "mnist";
  if (fs::exists(beside / "train-images-idx3-ubyte.gz")) return fs::weakly_canonical(beside);
  return std::nullopt;
}

bool require_data() {
  const char* env = std::getenv("KERASCPP_REQUIRE_DATA");
  return env && std::string(env) == "1";
}

TempDir::TempDir() {
  std::random_device rd;
  for (;;) {
    path_ = std::filesystem::temp_directory_path() /
            ("kerascpp-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    if (std::filesystem::create_directory(path_)) break;
  }
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace keras::testing
