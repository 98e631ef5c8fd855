// Finding, downloading, verifying and caching data sets, against a real HTTP server on
// 127.0.0.1. Every test points $KERASCPP_DATASETS_ORIGIN at that server and $HOME at a
// temporary folder: nothing here reaches another machine or the user's caches.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <keras/keras.hpp>
#include <sstream>
#include <thread>

#include "support/loopback_server.hpp"
#include "support/test_support.hpp"
#include "support/tiny_dataset.hpp"

using namespace keras;
namespace fs = std::filesystem;
using keras::testing::LoopbackServer;
using Behavior = LoopbackServer::Behavior;

namespace {

const char* kIdx[] = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                      "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};

std::string as_string(const std::vector<uint8_t>& b) {
  return {b.begin(), b.end()};
}

std::vector<fs::path> partial_files(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().filename().string().find(".part-") != std::string::npos) out.push_back(e.path());
  return out;
}

class DatasetsDownload : public ::testing::Test {
 protected:
  void SetUp() override {
    mnist_ = keras::testing::mnist_dir();  // before $KERASCPP_DATA_DIR is hidden
    env.set("HOME", (tmp / "home").string());
    env.unset("XDG_CACHE_HOME");
    env.unset("KERAS_HOME");
    env.unset("KERASCPP_DATA_DIR");
    env.set("KERASCPP_DATASETS_ORIGIN", server.url("/"));  // loopback only, in every test
    env.set("KERASCPP_DOWNLOAD_TIMEOUT", "1");
    quiet.verbose = 0;
  }
  fs::path cache(const std::string& name) const {
    return tmp / "home" / ".cache" / "kerascpp" / "datasets" / name;
  }
  // Serves the four IDX files of `data` under /<prefix>/.
  void serve_idx(const std::string& prefix, const keras::testing::TinyDataset& data) {
    for (size_t i = 0; i < 4; ++i) server.serve(prefix + kIdx[i], as_string(data.gz[i]));
  }

  std::optional<fs::path> mnist_;
  keras::testing::TempDir tmp;
  LoopbackServer server;
  keras::testing::ScopedEnv env;
  utils::DownloadOptions quiet;
};

// KERASCPP_REQUIRE_MNIST for this fixture, whose SetUp hides $KERASCPP_DATA_DIR.
#define REQUIRE_MNIST_FROM_SETUP(dir_var)                                                \
  if (!mnist_) {                                                                         \
    if (keras::testing::require_data()) FAIL() << "MNIST not found (KERASCPP_DATA_DIR)"; \
    GTEST_SKIP() << "MNIST not found; set KERASCPP_DATA_DIR";                            \
  }                                                                                      \
  const fs::path dir_var = *mnist_

}  // namespace

// ---- utils::download_file / get_file ----------------------------------------------------------

TEST_F(DatasetsDownload, GetFileDownloadsVerifiesAndThenUsesTheCacheWithoutARequest) {
  const std::string body(100000, 'k');
  server.serve("/f.bin", body);
  const auto hash =
      utils::sha256_bytes({reinterpret_cast<const uint8_t*>(body.data()), body.size()});
  const auto path = utils::get_file("f.bin", {server.url("/f.bin")}, hash, tmp / "c", quiet);
  EXPECT_EQ(path, tmp / "c" / "f.bin");
  EXPECT_EQ(as_string(keras::testing::read_file(path)), body);
  EXPECT_EQ(server.requests(), std::vector<std::string>{"/f.bin"});
  utils::get_file("f.bin", {server.url("/f.bin")}, hash, tmp / "c", quiet);
  EXPECT_EQ(server.requests().size(), 1u) << "the cached file must be used without a request";
}

TEST_F(DatasetsDownload, FallsBackInOrderPastA404ABadHashATruncationAndAStall) {
  const std::string good(50000, 'g');
  std::string corrupt = good;
  corrupt[123] ^= 1;
  server.serve("/corrupt", corrupt);
  server.serve("/truncated", good, Behavior::truncate);
  server.serve("/stalled", good, Behavior::stall);
  server.serve("/good", good);
  const auto hash =
      utils::sha256_bytes({reinterpret_cast<const uint8_t*>(good.data()), good.size()});
  std::vector<utils::DownloadAttempt> log;
  const auto t0 = std::chrono::steady_clock::now();
  utils::download_file({server.url("/missing"), server.url("/corrupt"), server.url("/truncated"),
                        server.url("/stalled"), server.url("/good")},
                       hash, tmp / "out" / "file", quiet, &log);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(as_string(keras::testing::read_file(tmp / "out" / "file")), good);
  EXPECT_EQ(server.requests(),
            (std::vector<std::string>{"/missing", "/corrupt", "/truncated", "/stalled", "/good"}));
  ASSERT_EQ(log.size(), 5u);
  EXPECT_NE(log[0].error.find("404"), std::string::npos) << log[0].error;
  EXPECT_NE(log[1].error.find("SHA-256 mismatch"), std::string::npos) << log[1].error;
  EXPECT_FALSE(log[2].error.empty());
  EXPECT_NE(log[3].error.find("stalled"), std::string::npos) << log[3].error;
  EXPECT_EQ(log[4].error, "");
  EXPECT_LT(took, 10) << "the stall must be cut off by the 1 s stall timeout";
  EXPECT_TRUE(partial_files(tmp / "out").empty());
}

TEST_F(DatasetsDownload, WhenEveryOriginFailsTheErrorListsThemAndNoFileIsLeft) {
  server.serve("/short", "abc", Behavior::truncate);
  try {
    utils::download_file({server.url("/nope"), server.url("/short")}, std::string(64, '0'),
                         tmp / "d" / "x", quiet);
    FAIL() << "expected a DownloadError";
  } catch (const utils::DownloadError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(server.url("/nope")), std::string::npos) << msg;
    EXPECT_NE(msg.find(server.url("/short")), std::string::npos) << msg;
    EXPECT_EQ(e.attempts().size(), 2u);
  }
  EXPECT_FALSE(fs::exists(tmp / "d" / "x"));
  EXPECT_TRUE(partial_files(tmp / "d").empty());
}

TEST_F(DatasetsDownload, ACachedFileWithTheWrongHashIsDownloadedAgain) {
  const std::string body = "the real content";
  server.serve("/f", body);
  keras::testing::write_file(tmp / "c" / "f",
                             {'h', 'a', 'l', 'f'});  // what a naive downloader leaves
  const auto hash =
      utils::sha256_bytes({reinterpret_cast<const uint8_t*>(body.data()), body.size()});
  std::ostringstream out;
  utils::DownloadOptions o;
  o.out = &out;
  utils::get_file("f", {server.url("/f")}, hash, tmp / "c", o);
  EXPECT_EQ(as_string(keras::testing::read_file(tmp / "c" / "f")), body);
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_NE(out.str().find("does not match"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("Downloading data from " + server.url("/f")), std::string::npos)
      << out.str();
}

TEST_F(DatasetsDownload, ProgressEndsWithKerasStyleByteCounter) {
  const std::string body(3000, 'p');
  server.serve("/p", body);
  std::ostringstream out;
  utils::DownloadOptions o;
  o.out = &out;
  o.expected_size = 3000;
  utils::download_file({server.url("/p")},
                       utils::sha256_bytes({reinterpret_cast<const uint8_t*>(body.data()), 3000}),
                       tmp / "p", o);
  EXPECT_NE(out.str().find("Downloading data from " + server.url("/p") + "\n"), std::string::npos)
      << out.str();
  EXPECT_NE(out.str().find("3000/3000 "), std::string::npos) << out.str();
}

// ---- the search order of load_image_dataset ---------------------------------------------------

TEST_F(DatasetsDownload, SearchOrderExplicitThenEnvThenKerasCacheThenOwnCacheThenDownload) {
  // Five copies that differ in their label, one per place.
  auto spec =
      keras::testing::tiny_spec(keras::testing::make_tiny_dataset(2, 1), "tiny", /*with_npz=*/true);
  const auto explicit_data = keras::testing::make_tiny_dataset(2, 1);
  const auto env_data = keras::testing::make_tiny_dataset(2, 2);
  // Caches are hash-checked, so they hold the pinned data (label 1)... told apart by form:
  // Keras's cache has the .npz, ours the IDX files.
  const auto pinned = keras::testing::make_tiny_dataset(2, 1);
  for (size_t i = 0; i < 4; ++i) {
    keras::testing::write_file(tmp / "explicit" / kIdx[i], explicit_data.gz[i]);
    keras::testing::write_file(tmp / "data" / "tiny" / kIdx[i], env_data.gz[i]);
    keras::testing::write_file(cache("tiny") / kIdx[i], pinned.gz[i]);
  }
  keras::testing::write_file(tmp / "home" / ".keras" / "datasets" / "tiny.npz", pinned.npz);
  serve_idx("/tiny/", pinned);
  env.set("KERASCPP_DATA_DIR", (tmp / "data").string());

  EXPECT_EQ(datasets::load_image_dataset(spec, tmp / "explicit", quiet).y_train[0], 1);
  EXPECT_EQ(datasets::load_image_dataset(spec, std::nullopt, quiet).y_train[0],
            2);  // $KERASCPP_DATA_DIR
  env.unset("KERASCPP_DATA_DIR");
  fs::remove_all(cache("tiny"));
  EXPECT_EQ(datasets::load_image_dataset(spec, std::nullopt, quiet).y_train[0], 1);  // Keras's .npz
  fs::remove(tmp / "home" / ".keras" / "datasets" / "tiny.npz");
  EXPECT_TRUE(server.requests().empty());
  EXPECT_EQ(datasets::load_image_dataset(spec, std::nullopt, quiet).y_train[0], 1);  // downloaded
  EXPECT_EQ(server.requests().size(), 5u);  // tiny.npz (404), then the four IDX files
  EXPECT_EQ(datasets::load_image_dataset(spec, std::nullopt, quiet).y_train[0], 1);  // our cache
  EXPECT_EQ(server.requests().size(), 5u) << "the cache must be used without a request";
}

TEST_F(DatasetsDownload, NpzOriginWithAWrongHashFallsBackToIdxFilesFromTheNextOrigin) {
  const auto data = keras::testing::make_tiny_dataset(3, 4);
  auto spec = keras::testing::tiny_spec(data, "tiny", /*with_npz=*/true);
  auto bad_npz = as_string(data.npz);
  bad_npz[bad_npz.size() / 2] ^= 0x55;
  server.serve("/a/tiny/tiny.npz", bad_npz);
  // Origin b has the first two IDX files only; c has all of them.
  for (size_t i = 0; i < 2; ++i)
    server.serve(std::string("/b/tiny/") + kIdx[i], as_string(data.gz[i]));
  serve_idx("/c/tiny/", data);
  env.set("KERASCPP_DATASETS_ORIGIN",
          server.url("/a") + " " + server.url("/b") + "," + server.url("/c"));
  const auto d = datasets::load_image_dataset(spec, std::nullopt, quiet);
  EXPECT_EQ(d.x_test.shape(), Shape({3, 28, 28}));
  EXPECT_EQ(d.y_test[2], 4);
  const std::vector<std::string> expected = {
      "/a/tiny/tiny.npz",
      "/a/tiny/train-images-idx3-ubyte.gz",  // bad hash; 404
      "/b/tiny/tiny.npz",
      "/b/tiny/train-images-idx3-ubyte.gz",
      "/b/tiny/train-labels-idx1-ubyte.gz",
      "/b/tiny/t10k-images-idx3-ubyte.gz",  // 404: b stops here
      "/c/tiny/tiny.npz",
      "/c/tiny/t10k-images-idx3-ubyte.gz",
      "/c/tiny/t10k-labels-idx1-ubyte.gz"};
  EXPECT_EQ(server.requests(), expected);
  EXPECT_FALSE(fs::exists(cache("tiny") / "tiny.npz"))
      << "a file with the wrong hash must not be kept";
  EXPECT_TRUE(partial_files(cache("tiny")).empty());
}

TEST_F(DatasetsDownload, CachesWithAWrongHashAreNotTrusted) {
  const auto data = keras::testing::make_tiny_dataset(2, 5);
  auto spec = keras::testing::tiny_spec(data, "tiny", /*with_npz=*/true);
  const auto other =
      keras::testing::make_tiny_dataset(2, 6);  // valid files, but not the pinned ones
  keras::testing::write_file(tmp / "home" / ".keras" / "datasets" / "tiny.npz", other.npz);
  for (size_t i = 0; i < 4; ++i) keras::testing::write_file(cache("tiny") / kIdx[i], other.gz[i]);
  serve_idx("/tiny/", data);
  EXPECT_EQ(datasets::load_image_dataset(spec, std::nullopt, quiet).y_train[1], 5);
  EXPECT_EQ(server.requests().size(), 5u);
}

TEST_F(DatasetsDownload, NothingFoundErrorListsEveryPlaceInOrderAndTheWayOut) {
  auto spec =
      keras::testing::tiny_spec(keras::testing::make_tiny_dataset(1, 0), "tiny", /*with_npz=*/true);
  std::string msg;
  try {
    datasets::load_image_dataset(spec, std::nullopt, quiet);
  } catch (const IOError& e) {
    msg = e.what();
  }
  const std::vector<std::string> in_order = {
      "Tiny-tiny was not found and could not be downloaded",
      "1. the path given to load_data(): none given",
      "2. $KERASCPP_DATA_DIR: not set",
      "3. Keras's cache: " + (tmp / "home" / ".keras" / "datasets" / "tiny.npz").string() +
          ": not found",
      "4. kerascpp's cache: " + cache("tiny").string() + "/: not found",
      "5. download into kerascpp's cache: origins from $KERASCPP_DATASETS_ORIGIN failed",
      server.url("/tiny/tiny.npz") + ": ",
      server.url("/tiny/train-images-idx3-ubyte.gz") + ": ",
      "To put Tiny-tiny in place by hand",
      "docs/datasets.md"};
  size_t at = 0;
  for (const auto& part : in_order) {
    const size_t found = msg.find(part, at);
    ASSERT_NE(found, std::string::npos) << "missing or out of order: '" << part << "' in:\n" << msg;
    at = found + part.size();
  }
  EXPECT_NE(msg.find("404"), std::string::npos) << msg;
}

TEST_F(DatasetsDownload, OriginNoneDisablesDownloads) {
  auto spec = keras::testing::tiny_spec(keras::testing::make_tiny_dataset(1, 0), "tiny", false);
  env.set("KERASCPP_DATASETS_ORIGIN", "none");
  try {
    datasets::load_image_dataset(spec, std::nullopt, quiet);
    FAIL();
  } catch (const IOError& e) {
    EXPECT_NE(std::string(e.what()).find("disabled"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(DatasetsDownload, XdgCacheHomeAndKerasHomeAreHonoured) {
  const auto data = keras::testing::make_tiny_dataset(1, 7);
  auto spec = keras::testing::tiny_spec(data, "tiny", true);
  env.set("XDG_CACHE_HOME", (tmp / "xdg").string());
  env.set("KERAS_HOME", (tmp / "kh").string());
  EXPECT_EQ(datasets::cache_dir(), tmp / "xdg" / "kerascpp" / "datasets");
  EXPECT_EQ(datasets::keras_home(), tmp / "kh");
  keras::testing::write_file(tmp / "kh" / "datasets" / "tiny.npz", data.npz);
  EXPECT_EQ(datasets::load_image_dataset(spec, std::nullopt, quiet).y_test[0], 7);
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(DatasetsDownload, ExplicitPathMustHoldTheDataAndNothingElseIsTried) {
  auto spec = keras::testing::tiny_spec(keras::testing::make_tiny_dataset(2, 3), "tiny", true);
  fs::create_directories(tmp / "empty");
  keras::testing::write_file(tmp / "empty" / kIdx[0], {1, 2});
  try {
    datasets::load_image_dataset(spec, tmp / "empty", quiet);
    FAIL();
  } catch (const IOError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("t10k-labels-idx1-ubyte.gz"), std::string::npos) << msg;
    EXPECT_NE(msg.find("not found"), std::string::npos) << msg;
  }
  EXPECT_TRUE(server.requests().empty());
  // An .npz file given directly works.
  const auto data = keras::testing::make_tiny_dataset(2, 3);
  keras::testing::write_file(tmp / "x.npz", data.npz);
  EXPECT_EQ(datasets::load_image_dataset(spec, tmp / "x.npz", quiet).y_train[0], 3);
}

// A download killed midway (SIGKILL: no cleanup runs) leaves only a temporary file, which no
// later call reads; the next call downloads again and removes the leftover.
TEST_F(DatasetsDownload, ADownloadKilledMidwayLeavesNothingALaterCallTrusts) {
  const auto data = keras::testing::make_tiny_dataset(40, 2);
  auto spec = keras::testing::tiny_spec(data, "tiny", false);
  serve_idx("/tiny/", data);
  server.serve(std::string("/tiny/") + kIdx[0], as_string(data.gz[0]), Behavior::stall);
  env.set("KERASCPP_DOWNLOAD_TIMEOUT", "60");  // the child must still be waiting when killed
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    try {
      datasets::load_image_dataset(spec, std::nullopt, quiet);
    } catch (...) {
    }
    ::_exit(0);
  }
  ASSERT_TRUE(server.wait_for_stall(20));
  // Wait until the child has written the first half to its temporary file, then kill it.
  const fs::path part = cache("tiny") / (std::string(kIdx[0]) + ".part-" + std::to_string(child));
  for (int i = 0; i < 2000 && !(fs::exists(part) && fs::file_size(part) > 0); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_TRUE(fs::exists(part)) << "the killed download wrote to its temporary file";
  EXPECT_FALSE(fs::exists(cache("tiny") / kIdx[0])) << "nothing may appear under the real name";

  server.serve(std::string("/tiny/") + kIdx[0], as_string(data.gz[0]));
  server.release_stalls();
  const size_t before = server.requests().size();
  const auto d = datasets::load_image_dataset(spec, std::nullopt, quiet);
  EXPECT_EQ(d.x_train.shape(), Shape({40, 28, 28}));
  EXPECT_EQ(server.requests().size(), before + 4) << "every file is fetched again";
  EXPECT_FALSE(fs::exists(part)) << "the dead process's temporary file is removed";
}

// ---- the real data sets, from a loopback mirror -----------------------------------------------

TEST_F(DatasetsDownload, MnistLoadDataDownloadsTheRealFilesVerifiesAndCachesThem) {
  REQUIRE_MNIST_FROM_SETUP(dir);
  for (const char* f : kIdx)
    server.serve(std::string("/mnist/") + f, as_string(keras::testing::read_file(dir / f)));
  auto [x_train, y_train, x_test, y_test] = datasets::mnist::load_data();
  EXPECT_EQ(x_train.shape(), Shape({60000, 28, 28}));
  EXPECT_EQ(y_test.head(5).str(), "[7 2 1 0 4]");
  EXPECT_EQ(server.requests().front(), "/mnist/mnist.npz");  // Keras's form first (404 here)
  EXPECT_EQ(server.requests().size(), 5u);
  for (const char* f : kIdx) EXPECT_TRUE(fs::exists(cache("mnist") / f)) << f;
  const auto again = datasets::mnist::load_data();
  EXPECT_EQ(again.y_train.head(5).str(), "[5 0 4 1 9]");
  EXPECT_EQ(server.requests().size(), 5u) << "the second call must use the cache";
}

TEST_F(DatasetsDownload, MnistFromKerascppDataDirItselfOrItsMnistSubfolder) {
  REQUIRE_MNIST_FROM_SETUP(dir);
  env.set("KERASCPP_DATA_DIR", dir.string());
  EXPECT_EQ(datasets::mnist::load_data().y_test.head(5).str(), "[7 2 1 0 4]");
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(DatasetsDownload, FashionMnistFromDebiansPackage) {
  if (!fs::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const auto d = datasets::fashion_mnist::load_data();
  EXPECT_EQ(d.x_train.shape(), Shape({60000, 28, 28}));
  EXPECT_EQ(d.y_test.shape(), Shape({10000}));
  EXPECT_TRUE(server.requests().empty());
  EXPECT_EQ(datasets::fashion_mnist::class_names[d.y_test[0]],
            "Ankle boot");  // the first test image
}

TEST(FashionMnist, ClassNamesFollowKeras) {
  ASSERT_EQ(datasets::fashion_mnist::class_names.size(), 10u);
  EXPECT_EQ(datasets::fashion_mnist::class_names[0], "T-shirt/top");
  EXPECT_EQ(datasets::fashion_mnist::class_names[9], "Ankle boot");
}

TEST_F(DatasetsDownload, AnUnwritableCacheIsReportedWithTheWayOut) {
  const auto data = keras::testing::make_tiny_dataset(1, 1);
  auto spec = keras::testing::tiny_spec(data, "tiny", false);
  serve_idx("/tiny/", data);
  keras::testing::write_file(tmp / "not-a-folder",
                             {1});  // root ignores permissions; a file does not
  env.set("XDG_CACHE_HOME", (tmp / "not-a-folder").string());
  try {
    datasets::load_image_dataset(spec, std::nullopt, quiet);
    FAIL();
  } catch (const IOError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("cannot create the folder"), std::string::npos) << msg;
    EXPECT_NE(msg.find("XDG_CACHE_HOME"), std::string::npos) << msg;
  }
}
