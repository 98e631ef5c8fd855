// Helpers shared by the tests: where MNIST is, temporary directories, error messages.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "keras/core/error.hpp"

namespace keras::testing {

/// MNIST directory from $KERASCPP_DATA_DIR (or ../shared/data/mnist beside the source tree).
/// Tests that need it call GTEST_SKIP when it is absent, unless $KERASCPP_REQUIRE_DATA=1 (CI),
/// where a missing data set is a failure.
std::optional<std::filesystem::path> mnist_dir();
bool require_data();

/// A fresh empty directory under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

/// The message of the `ErrorType` (default: any keras::Error) that `f` throws, or "(no error)".
/// Any other exception escapes, so a test sees it as the failure it is.
template <class ErrorType = ::keras::Error, class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const ErrorType& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace keras::testing

/// Expects `expr` to throw a keras::Error whose message contains `text`.
#define EXPECT_ERROR_HAS(expr, text)                                            \
  do {                                                                          \
    const std::string msg_ = ::keras::testing::error_of([&] { (void)(expr); }); \
    EXPECT_NE(msg_.find(text), std::string::npos) << msg_;                      \
  } while (0)

/// Skips (or, in CI, fails) the current test when MNIST is not available.
#define KERASCPP_REQUIRE_MNIST(dir_var)                                                    \
  auto dir_var##_opt = ::keras::testing::mnist_dir();                                      \
  if (!dir_var##_opt) {                                                                    \
    if (::keras::testing::require_data()) FAIL() << "MNIST not found (KERASCPP_DATA_DIR)"; \
    GTEST_SKIP() << "MNIST not found; set KERASCPP_DATA_DIR";                              \
  }                                                                                        \
  const std::filesystem::path dir_var = *dir_var##_opt
