#include "keras/datasets/image_dataset.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "keras/core/error.hpp"
#include "keras/datasets/idx.hpp"
#include "keras/io/npy.hpp"
#include "keras/utils/hash.hpp"

namespace keras::datasets {

namespace fs = std::filesystem;

namespace {

constexpr int64_t kRows = 28, kCols = 28;
// The IDX names every data set of the MNIST family uses, in ImageDataset's order.
constexpr std::array<const char*, 4> kIdxStems = {
    "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte"};
using IdxPaths = std::array<fs::path, 4>;

std::string getenv_str(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

fs::path home_dir() {
  if (auto h = getenv_str("HOME"); !h.empty()) return h;
  if (const passwd* pw = ::getpwuid(::getuid()); pw && pw->pw_dir) return pw->pw_dir;
  return fs::temp_directory_path();
}

bool present(const fs::path& p) {
  std::error_code ec;
  return fs::exists(p, ec);
}

void check_images(const ByteArray& x, const std::string& where) {
  if (x.ndim() != 3 || x.shape()[1] != kRows || x.shape()[2] != kCols)
    throw IOError(where + ": expected images of shape (N, 28, 28), found " + x.shape().str());
}

void check_labels(const ByteArray& y, const ByteArray& x, const std::string& where,
                  int num_classes) {
  if (y.ndim() != 1)
    throw IOError(where + ": expected a 1-D label array, found shape " + y.shape().str());
  if (y.shape()[0] != x.shape()[0])
    throw IOError(where + ": " + std::to_string(y.shape()[0]) + " labels for " +
                  std::to_string(x.shape()[0]) +
                  " images; the image and label files do not belong together");
  const uint8_t* p = y.data();
  for (int64_t i = 0; i < y.size(); ++i)
    if (p[i] >= num_classes)
      throw IOError(where + ": label " + std::to_string(p[i]) + " at index " + std::to_string(i) +
                    " is not a class in 0.." + std::to_string(num_classes - 1));
}

ImageDataset checked(ImageDataset d, const std::array<std::string, 4>& where, int num_classes) {
  check_images(d.x_train, where[0]);
  check_labels(d.y_train, d.x_train, where[1], num_classes);
  check_images(d.x_test, where[2]);
  check_labels(d.y_test, d.x_test, where[3], num_classes);
  return d;
}

// The four IDX files in `dir`: each as .gz, or raw when `allow_raw`; nullopt if one is missing.
std::optional<IdxPaths> find_idx_files(const fs::path& dir, bool allow_raw) {
  IdxPaths p;
  for (size_t i = 0; i < 4; ++i) {
    const fs::path gz = dir / (std::string(kIdxStems[i]) + ".gz"), raw = dir / kIdxStems[i];
    if (present(gz))
      p[i] = gz;
    else if (allow_raw && present(raw))
      p[i] = raw;
    else
      return std::nullopt;
  }
  return p;
}

// "a, b" for the IDX files `dir` lacks (in neither form).
std::string missing_idx_files(const fs::path& dir) {
  std::string missing;
  for (const char* stem : kIdxStems)
    if (!present(dir / (std::string(stem) + ".gz")) && !present(dir / stem))
      missing += (missing.empty() ? "" : ", ") + (dir / (std::string(stem) + ".gz")).string();
  return missing;
}

ImageDataset load_idx_files(const IdxPaths& p, int num_classes) {
  ImageDataset d{read_idx(p[0]), read_idx(p[1]), read_idx(p[2]), read_idx(p[3])};
  return checked(std::move(d),
                 {"IDX file '" + p[0].string() + "'", "IDX file '" + p[1].string() + "'",
                  "IDX file '" + p[2].string() + "'", "IDX file '" + p[3].string() + "'"},
                 num_classes);
}

// "" when `path` has the pinned hash, else why not.
std::string hash_problem(const fs::path& path, const RemoteFile& file) {
  const std::string got = utils::sha256_file(path);
  if (got == file.sha256) return "";
  return path.string() + " does not match its pinned SHA-256 (found " + got + ", expected " +
         file.sha256 + "): incomplete, corrupt or a different version; not used";
}

std::string idx_file_list(const DatasetSpec& spec) {
  return spec.idx_files[0].name + ", " + spec.idx_files[1].name + ", " + spec.idx_files[2].name +
         " and " + spec.idx_files[3].name;
}

// The places searched, numbered, with what each gave.
class SearchReport {
 public:
  void add(const std::string& place, const std::string& outcome) {
    text_ += "\n  " + std::to_string(++n_) + ". " + place + ": " + outcome;
  }
  const std::string& str() const { return text_; }

 private:
  int n_ = 0;
  std::string text_;
};

// A folder the user pointed at (explicit path, $KERASCPP_DATA_DIR): nullopt if the data set
// is not there; throws if it is there but broken, since the user put it there on purpose.
std::optional<ImageDataset> load_user_dir(const DatasetSpec& spec, const fs::path& dir) {
  if (auto p = find_idx_files(dir, /*allow_raw=*/true)) return load_idx_files(*p, spec.num_classes);
  if (spec.npz && present(dir / spec.npz->name))
    return load_npz_dataset(dir / spec.npz->name, spec.num_classes);
  return std::nullopt;
}

// Files in a cache: used only when every one has its pinned hash.
std::optional<ImageDataset> load_verified_idx(const DatasetSpec& spec, const fs::path& dir,
                                              std::string& outcome) {
  auto p = find_idx_files(dir, /*allow_raw=*/false);
  if (!p) return std::nullopt;
  for (size_t i = 0; i < 4; ++i)
    if (auto problem = hash_problem((*p)[i], spec.idx_files[i]); !problem.empty()) {
      outcome = problem;
      return std::nullopt;
    }
  return load_idx_files(*p, spec.num_classes);
}

std::optional<ImageDataset> load_verified_npz(const DatasetSpec& spec, const fs::path& file,
                                              std::string& outcome) {
  if (!spec.npz || !present(file)) return std::nullopt;
  if (outcome = hash_problem(file, *spec.npz); !outcome.empty()) return std::nullopt;
  return load_npz_dataset(file, spec.num_classes);
}

std::string join_url(const std::string& base, const std::string& name) {
  return base.ends_with('/') ? base + name : base + "/" + name;
}

// Step 6: download from each origin in turn into `cache`. An IDX origin fetches the files the
// cache still lacks and stops at its first failure; the next origin fetches the rest.
std::optional<ImageDataset> download(const DatasetSpec& spec,
                                     const std::vector<DatasetOrigin>& origins,
                                     const fs::path& cache, const utils::DownloadOptions& options,
                                     std::vector<utils::DownloadAttempt>& log) {
  std::array<bool, 4> have{};
  for (size_t i = 0; i < 4; ++i) {
    const fs::path f = cache / spec.idx_files[i].name;
    have[i] = present(f) && utils::sha256_file(f) == spec.idx_files[i].sha256;
  }
  auto fetch = [&](const RemoteFile& file, const std::string& base) {
    utils::DownloadOptions o = options;
    o.expected_size = file.size;
    try {
      utils::download_file({join_url(base, file.name)}, file.sha256, cache / file.name, o, &log);
      return true;
    } catch (const utils::DownloadError&) {
      return false;  // already in the log
    } catch (const IOError& e) {
      log.push_back(
          {join_url(base, file.name), e.what()});  // e.g. the cache folder is not writable
      return false;
    }
  };
  for (const DatasetOrigin& origin : origins) {
    if (origin.npz) {
      if (spec.npz && fetch(*spec.npz, origin.base_url))
        return load_npz_dataset(cache / spec.npz->name, spec.num_classes);
      continue;
    }
    for (size_t i = 0; i < 4; ++i) {
      if (have[i]) continue;
      if (!fetch(spec.idx_files[i], origin.base_url)) break;
      have[i] = true;
    }
    if (have == std::array<bool, 4>{true, true, true, true}) {
      IdxPaths p;
      for (size_t i = 0; i < 4; ++i) p[i] = cache / spec.idx_files[i].name;
      return load_idx_files(p, spec.num_classes);
    }
  }
  return std::nullopt;
}

}  // namespace

fs::path keras_home() {
  if (auto h = getenv_str("KERAS_HOME"); !h.empty()) return h;
  return home_dir() / ".keras";
}

fs::path cache_dir() {
  fs::path base = getenv_str("XDG_CACHE_HOME");
  if (base.empty() || !base.is_absolute())
    base = home_dir() / ".cache";  // XDG: relative values are ignored
  return base / "kerascpp" / "datasets";
}

std::vector<DatasetOrigin> download_origins(const DatasetSpec& spec) {
  const std::string env = getenv_str("KERASCPP_DATASETS_ORIGIN");
  if (env.empty()) return spec.origins;
  std::vector<DatasetOrigin> out;
  size_t i = 0;
  while (i < env.size()) {
    const size_t end = std::min(env.find_first_of(" \t\n,;", i), env.size());
    const std::string base = env.substr(i, end - i);
    i = end + 1;
    if (base.empty()) continue;
    if (base == "none" || base == "off") return {};
    const std::string dir = join_url(base, spec.name) + "/";
    if (spec.npz) out.push_back({dir, true});
    out.push_back({dir, false});
  }
  return out;
}

ImageDataset load_idx_directory(const fs::path& dir, int num_classes) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw IOError("data directory '" + dir.string() + "' does not exist or is not a directory");
  auto p = find_idx_files(dir, /*allow_raw=*/true);
  if (!p)
    throw IOError(
        "data file " + missing_idx_files(dir) +
        " not found (nor without .gz). Put the four IDX files (train-images-idx3-ubyte.gz, "
        "train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) in that "
        "folder");
  return load_idx_files(*p, num_classes);
}

ImageDataset load_npz_dataset(const fs::path& npz, int num_classes) {
  io::NpzFile f(npz);
  const std::string where = "npz archive '" + npz.string() + "'";
  ImageDataset d{f.get<uint8_t>("x_train"), f.get<uint8_t>("y_train"), f.get<uint8_t>("x_test"),
                 f.get<uint8_t>("y_test")};
  return checked(std::move(d),
                 {where + ", x_train", where + ", y_train", where + ", x_test", where + ", y_test"},
                 num_classes);
}

ImageDataset load_image_dataset(const DatasetSpec& spec, const std::optional<fs::path>& path,
                                const utils::DownloadOptions& options) {
  // 1. An explicit path is the only place looked at.
  if (path) {
    std::error_code ec;
    if (fs::is_regular_file(*path, ec)) return load_npz_dataset(*path, spec.num_classes);
    if (!fs::is_directory(*path, ec))
      throw IOError(spec.title + ": the path '" + path->string() +
                    "' given to load_data() does not exist");
    if (auto d = load_user_dir(spec, *path)) return std::move(*d);
    throw IOError(spec.title + ": in the folder given to load_data(), " + missing_idx_files(*path) +
                  " not found (nor without .gz)" +
                  (spec.npz ? ", and no " + spec.npz->name : std::string()) +
                  ". It must hold the four IDX files " + idx_file_list(spec));
  }
  SearchReport report;
  report.add("the path given to load_data()", "none given");

  // 2. $KERASCPP_DATA_DIR.
  if (const fs::path data_dir = getenv_str("KERASCPP_DATA_DIR"); !data_dir.empty()) {
    std::vector<fs::path> dirs = {data_dir / spec.name};
    if (spec.data_dir_itself) dirs.push_back(data_dir);
    std::string looked;
    for (const fs::path& dir : dirs) {
      if (auto d = load_user_dir(spec, dir)) return std::move(*d);
      looked += (looked.empty() ? "" : " and ") + dir.string();
    }
    report.add("$KERASCPP_DATA_DIR", "no " + spec.title + " files in " + looked);
  } else {
    report.add("$KERASCPP_DATA_DIR", "not set");
  }

  // 3. Keras's cache.
  {
    const fs::path where = keras_home() / "datasets" / spec.keras_cache;
    std::string outcome;
    auto d = spec.npz && where.extension() == ".npz" ? load_verified_npz(spec, where, outcome)
                                                     : load_verified_idx(spec, where, outcome);
    if (d) return std::move(*d);
    report.add("Keras's cache", outcome.empty() ? where.string() + ": not found" : outcome);
  }

  // 4. kerascpp's cache.
  const fs::path cache = cache_dir() / spec.name;
  {
    std::string idx_outcome, npz_outcome;
    if (auto d = load_verified_idx(spec, cache, idx_outcome)) return std::move(*d);
    if (spec.npz)
      if (auto d = load_verified_npz(spec, cache / spec.npz->name, npz_outcome))
        return std::move(*d);
    const std::string outcome =
        idx_outcome + (idx_outcome.empty() || npz_outcome.empty() ? "" : "; ") + npz_outcome;
    report.add("kerascpp's cache", outcome.empty() ? cache.string() + "/: not found" : outcome);
  }

  // 5. System packages.
  for (const fs::path& dir : spec.system_dirs) {
    if (auto p = find_idx_files(dir, /*allow_raw=*/true)) {
      try {
        return load_idx_files(*p, spec.num_classes);
      } catch (const IOError& e) {
        report.add("system folder", e.what());
        continue;
      }
    }
    report.add("system folder", dir.string() + ": not found");
  }

  // 6. Download.
  const std::vector<DatasetOrigin> origins = download_origins(spec);
  std::vector<utils::DownloadAttempt> log;
  if (!origins.empty()) {
    if (auto d = download(spec, origins, cache, options, log)) return std::move(*d);
  }
  std::string tried;
  for (const auto& a : log) tried += "\n       " + a.url + ": " + a.error;
  report.add("download into kerascpp's cache",
             origins.empty() ? "disabled ($KERASCPP_DATASETS_ORIGIN=none)"
                             : (getenv_str("KERASCPP_DATASETS_ORIGIN").empty()
                                    ? "built-in origins failed"
                                    : "origins from $KERASCPP_DATASETS_ORIGIN failed") +
                                   tried);
  const std::string example_origin = [&] {
    for (const auto& o : spec.origins)
      if (!o.npz) return o.base_url;
    return std::string("the data set's site");
  }();
  const fs::path keras_copy = keras_home() / "datasets" / spec.keras_cache;
  throw IOError(
      spec.title + " was not found and could not be downloaded. Places tried, in order:" +
      report.str() + "\nTo put " + spec.title +
      " in place by hand (see docs/datasets.md), either:\n  - download " + idx_file_list(spec) +
      " (e.g. from " + example_origin + ") into " + cache.string() +
      "/ (they are checked against their SHA-256);\n  - or put them in any folder and pass it to "
      "load_data(), "
      "or set KERASCPP_DATA_DIR=<folder> (files " +
      (spec.data_dir_itself ? "directly in it or in its " : "in its ") + spec.name +
      "/ subfolder)" +
      (spec.npz ? ";\n  - or copy Keras's " + spec.npz->name + " to " + keras_copy.string() + "."
                : ";\n  - or copy the files Keras downloaded to " + keras_copy.string() + "/."));
}

}  // namespace keras::datasets
