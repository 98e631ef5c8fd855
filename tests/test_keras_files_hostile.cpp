// Loading truncated, corrupt or hostile files is a clear keras::Error, never a crash; a process
// killed at any point of a save leaves the old file or the new one.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>

#include "support/keras_files.hpp"

using namespace keras;
using keras::testing::random_data;
using keras::testing::same_weights;
using keras::testing::small_mlp;
using keras::testing::TempDir;

namespace {

void write_bytes(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
}

const io::LoadOptions kQuiet{.on_warning = [](const std::string&) {}};

// Loads `bytes` with whatever the file name asks for; returns the error text ("" if it loaded).
std::string try_load(const std::filesystem::path& p, const std::string& bytes) {
  write_bytes(p, bytes);
  try {
    if (p.string().find(".weights.h5") != std::string::npos) {
      Sequential m = small_mlp(1);
      io::load_weights(m, p, kQuiet);
    } else {
      models::load_model(p, kQuiet);
    }
    return "";
  } catch (const Error& e) {
    return e.what();
  }
}

Sequential trained(uint64_t seed) {
  Sequential m = small_mlp(seed);
  auto [x, y] = random_data(64, seed);
  m.fit(x, y, {.epochs = 1, .batch_size = 32, .verbose = 0});
  return m;
}

std::string file_bytes(const Sequential& m, const TempDir& tmp, const std::string& name) {
  const auto p = tmp / name;
  if (name.find(".weights.h5") != std::string::npos)
    m.save_weights(p);
  else
    m.save(p);
  return io::read_file(p);
}

// A .keras archive with one entry replaced (or added).
std::string rebuild(const std::string& archive, const std::string& name, const std::string& data) {
  auto in = io::ZipReader::from_bytes(archive);
  io::ZipWriter out;
  bool replaced = false;
  for (const auto& e : in.entries()) {
    if (e.name == name) {
      out.add(name, data);
      replaced = true;
    } else {
      out.add(e.name, in.read(e.name, 1 << 30));
    }
  }
  if (!replaced) out.add(name, data);
  return out.finish();
}

std::string expect_error(const std::filesystem::path& p, const std::string& bytes,
                         const std::string& part) {
  const std::string err = try_load(p, bytes);
  EXPECT_FALSE(err.empty()) << p << " loaded, expected an error containing '" << part << "'";
  EXPECT_NE(err.find(part), std::string::npos) << err;
  return err;
}

}  // namespace

TEST(KerasFilesHostile, TruncatedFilesAreErrors) {
  TempDir tmp;
  const Sequential m = trained(3);
  for (const std::string name : {"t.keras", "t.h5", "t.weights.h5"}) {
    const std::string full = file_bytes(m, tmp, "full-" + name);
    std::vector<size_t> lengths{0,
                                1,
                                3,
                                4,
                                8,
                                22,
                                30,
                                100,
                                511,
                                512,
                                2048,
                                full.size() / 4,
                                full.size() / 2,
                                full.size() - 100,
                                full.size() - 22,
                                full.size() - 1};
    std::mt19937 rng(5);
    for (int i = 0; i < 40; ++i) lengths.push_back(rng() % full.size());
    for (size_t n : lengths) {
      const std::string err = try_load(tmp / name, full.substr(0, n));
      EXPECT_FALSE(err.empty()) << name << " truncated to " << n << " of " << full.size()
                                << " bytes loaded";
    }
  }
}

TEST(KerasFilesHostile, CorruptedBytesNeverCrash) {
  TempDir tmp;
  const Sequential m = trained(4);
  // The archive: stored entries carry CRCs, so a flipped byte is a clear error or harmless.
  const std::string full = file_bytes(m, tmp, "c.keras");
  std::mt19937 rng(9);
  int errors = 0;
  for (int i = 0; i < 300; ++i) {
    std::string bad = full;
    const size_t at = rng() % bad.size();
    bad[at] = static_cast<char>(bad[at] ^ (1 + rng() % 255));
    errors += !try_load(tmp / "c.keras", bad).empty();
  }
  EXPECT_GT(errors, 250);  // almost every byte matters; the rest (timestamps, padding) may not
  // Flipped bytes inside the weights file, with a valid archive around them: HDF5 parses them.
  auto zip = io::ZipReader::from_bytes(full);
  const std::string h5 = zip.read("model.weights.h5", 1 << 30);
  const std::string config = zip.read("config.json", 1 << 20);
  for (int i = 0; i < 60; ++i) {
    std::string bad = h5;
    const size_t at = rng() % 4096;  // the metadata (superblock, B-trees, headers) sits first
    bad[at] = static_cast<char>(bad[at] ^ (1 + rng() % 255));
    try_load(tmp / "h.keras",
             rebuild(full, "model.weights.h5", bad));  // error or success; no crash
  }
  // Corrupt JSON.
  expect_error(tmp / "j.keras", rebuild(full, "config.json", config.substr(0, config.size() / 2)),
               "not valid JSON");
  expect_error(tmp / "g.keras", std::string(5000, 'x'), "neither a .keras archive");
}

TEST(KerasFilesHostile, ZipEntriesWithPathsAndBombs) {
  TempDir tmp;
  const std::string full = file_bytes(trained(5), tmp, "z.keras");
  for (const std::string evil : {"../config.json", "/etc/passwd", "assets/x.txt", "a\\b"})
    expect_error(tmp / "p.keras", rebuild(full, evil, "x"), "path component");
  // A declared size far beyond what the compressed data can hold.
  std::string bomb = full;
  const size_t central = bomb.rfind(std::string("PK\x01\x02", 4));
  ASSERT_NE(central, std::string::npos);
  const uint32_t huge = 0xFFFFFF00u;
  std::memcpy(&bomb[central + 24], &huge, 4);  // uncompressed size of the last entry (the weights)
  const std::string err = try_load(tmp / "b.keras", bomb);
  EXPECT_FALSE(err.empty());
  // A missing entry.
  auto zip = io::ZipReader::from_bytes(full);
  io::ZipWriter no_weights;
  no_weights.add("config.json", zip.read("config.json", 1 << 20));
  expect_error(tmp / "n.keras", no_weights.finish(), "model.weights.h5");
}

TEST(KerasFilesHostile, WeightsThatDoNotFitTheArchitecture) {
  TempDir tmp;
  using namespace layers;
  utils::set_random_seed(1);
  Sequential narrow{Input({28, 28}), Flatten(), Dense(16, "relu"), Dense(10, "softmax")};
  Sequential deep{Input({28, 28}), Flatten(), Dense(32, "relu"), Dense(10, "relu"),
                  Dense(10, "softmax")};
  Sequential wide{Input({28, 28}), Flatten(), Dense(32, "relu"), Dense(10, "softmax")};
  auto entry = [&](const Sequential& m, const std::string& name) {
    return io::ZipReader::from_bytes(io::keras_archive_bytes(m)).read(name, 1 << 30);
  };
  const std::string base = io::keras_archive_bytes(wide);
  // Config of `wide` (Dense 32) with the weights of `narrow` (Dense 16): wrong shapes.
  expect_error(tmp / "s.keras",
               rebuild(base, "model.weights.h5", entry(narrow, "model.weights.h5")),
               "has shape (784, 32) in the model but (784, 16) in the file");
  // Config of `deep` (3 Dense) with the weights of `wide` (2 Dense): a missing group.
  expect_error(tmp / "m.keras", rebuild(base, "config.json", entry(deep, "config.json")),
               "are missing");
  // Config of `wide` with the weights of `deep`: more layers in the file than in the model.
  expect_error(tmp / "x.keras", rebuild(base, "model.weights.h5", entry(deep, "model.weights.h5")),
               "which this model does not have");
  // An unknown class, and absurd sizes, in config.json.
  auto cfg = nlohmann::json::parse(entry(wide, "config.json"));
  cfg["config"]["layers"][2]["class_name"] = "LocallyConnected3D";
  expect_error(tmp / "u.keras", rebuild(base, "config.json", cfg.dump()),
               "layer LocallyConnected3D is not supported yet");
  cfg = nlohmann::json::parse(entry(wide, "config.json"));
  cfg["config"]["layers"][2]["config"]["units"] = 2000000000;
  expect_error(tmp / "h.keras", rebuild(base, "config.json", cfg.dump()), "more than");
  cfg = nlohmann::json::parse(entry(wide, "config.json"));
  cfg["config"]["layers"][0]["config"]["batch_shape"] =
      nlohmann::json::parse("[null, 2147483647, 2147483647, 2147483647]");
  expect_error(tmp / "i.keras", rebuild(base, "config.json", cfg.dump()), "2^40");

  // load_weights into a model of another architecture: an error, and the model is unchanged.
  narrow.save_weights(tmp / "narrow.weights.h5");
  const auto before = wide.get_weights();
  EXPECT_THROW(wide.load_weights(tmp / "narrow.weights.h5"), ValueError);
  for (size_t i = 0; i < before.size(); ++i)
    EXPECT_TRUE(keras::testing::same_bits(before[i], wide.get_weights()[i]));
  narrow.save_weights(tmp / "narrow.h5");
  EXPECT_THROW(deep.load_weights(tmp / "narrow.h5"), ValueError);  // legacy: layer count mismatch
}

TEST(KerasFilesHostile, PathsAndExtensions) {
  TempDir tmp;
  EXPECT_THROW(models::load_model(tmp / "missing.keras"), IOError);
  EXPECT_THROW(models::load_model(tmp.path()), IOError);
  Sequential m = small_mlp(2);
  EXPECT_THROW(m.save(tmp / "m.weights.h5"), ValueError);
  EXPECT_THROW(m.save(tmp / "m.pt"), ValueError);
  EXPECT_THROW(m.save_weights(tmp / "m.keras"), ValueError);
  std::filesystem::create_directory(tmp / "dir.keras");
  EXPECT_THROW(m.save(tmp / "dir.keras"), IOError);  // a directory
  Sequential unbuilt{layers::Dense(3)};
  EXPECT_THROW(unbuilt.save(tmp / "u.keras"), ValueError);
  // Saving creates missing directories and leaves no temporary file behind.
  m.save(tmp / "sub" / "dir" / "m.keras");
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(tmp / "sub" / "dir"))
    files += !e.is_directory();
  EXPECT_EQ(files, 1u);
}

// A child process saves in a loop, alternating two models, and is SIGKILLed at a random moment;
// whatever the moment, the file on disk loads as one of the two. Repeated for each format.
TEST(KerasFilesHostile, KillDuringSaveLeavesOldOrNewFile) {
  TempDir tmp;
  const Sequential a = trained(10), b = trained(11);
  ASSERT_FALSE(same_weights(a, b));
  std::mt19937 rng(1234);
  const int kills_per_format = 25;
  for (const std::string name : {"k.keras", "k.h5", "k.weights.h5"}) {
    const auto path = tmp / name;
    const bool weights_only = name.find(".weights.") != std::string::npos;
    auto save = [&](const Sequential& m) { weights_only ? m.save_weights(path) : m.save(path); };
    save(a);
    int stale_temps = 0;
    for (int k = 0; k < kills_per_format; ++k) {
      const pid_t pid = fork();
      ASSERT_GE(pid, 0);
      if (pid == 0) {
        for (int i = 0;; ++i) save(i % 2 ? a : b);  // never returns; killed by the parent
      }
      std::this_thread::sleep_for(std::chrono::microseconds(2000 + rng() % 20000));
      kill(pid, SIGKILL);
      int status = 0;
      waitpid(pid, &status, 0);
      ASSERT_TRUE(WIFSIGNALED(status));
      for (const auto& e : std::filesystem::directory_iterator(tmp.path()))
        stale_temps += e.path().filename().string().find(".tmp-") != std::string::npos;
      Sequential loaded = small_mlp(99);
      if (weights_only) {
        loaded.load_weights(path);
      } else {
        loaded = models::load_model(path, kQuiet);
      }
      EXPECT_TRUE(same_weights(loaded, a) || same_weights(loaded, b))
          << name << " after kill " << k;
    }
    // Evidence that kills landed mid-save (a temp file was left), and that the next save cleans up.
    EXPECT_GT(stale_temps, 0) << name << ": no kill hit a save in progress";
    std::cout << "[ kill-during-save ] " << name << ": " << kills_per_format << " kills, "
              << stale_temps
              << " of them mid-write (temp file left), every file loaded as the old or new model\n";
    save(a);
    for (const auto& e : std::filesystem::directory_iterator(tmp.path()))
      EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
  }
}
