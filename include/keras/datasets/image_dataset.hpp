// The machinery behind mnist::load_data() and fashion_mnist::load_data(): what a data set of
// 28x28 grayscale images is (its files, pinned hashes, download origins), and the one search
// order used to find it, verify it, cache it or download it. See docs/datasets.md.
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "keras/tensor/ndarray.hpp"
#include "keras/utils/get_file.hpp"

namespace keras::datasets {

/// The four arrays of an image-classification data set, in Keras's order.
struct ImageDataset {
  ByteArray x_train, y_train, x_test, y_test;
  std::pair<ByteArray, ByteArray> train() const { return {x_train, y_train}; }
  std::pair<ByteArray, ByteArray> test() const { return {x_test, y_test}; }
};

/// A file of a data set as published: its name, pinned SHA-256 and size in bytes.
struct RemoteFile {
  std::string name;
  std::string sha256;
  int64_t size = 0;
};

/// Where a data set can be downloaded from: each file is fetched from `base_url + name`.
struct DatasetOrigin {
  std::string base_url;
  bool npz = false;  ///< serves the single .npz file (Keras's form), else the four IDX files
};

/// A data set of the MNIST family and every place it may be found.
struct DatasetSpec {
  std::string name;   ///< folder name: caches, $KERASCPP_DATA_DIR/<name>/, origin overrides
  std::string title;  ///< for messages: "MNIST"
  /// Train images, train labels, test images, test labels (gzip IDX files).
  std::array<RemoteFile, 4> idx_files;
  /// Keras's single-file form (mnist.npz: x_train, y_train, x_test, y_test), if it has one.
  std::optional<RemoteFile> npz;
  /// Where Keras caches it, relative to <keras home>/datasets: the .npz file, or the folder
  /// of the IDX files.
  std::filesystem::path keras_cache;
  /// Built-in download origins, tried in order ($KERASCPP_DATASETS_ORIGIN replaces them).
  std::vector<DatasetOrigin> origins;
  /// Folders where a system package installs the IDX files (read as they are, unhashed).
  std::vector<std::filesystem::path> system_dirs;
  /// Whether $KERASCPP_DATA_DIR itself (not only its <name>/ subfolder) may hold the files.
  bool data_dir_itself = false;
  int num_classes = 10;
};

/// Finds the data set and loads it. The search order:
///   1. `path`, when given: a folder with the IDX files (.gz or raw) or the .npz, or the .npz
///      itself; it must hold the data set (nothing else is tried);
///   2. $KERASCPP_DATA_DIR/<name>/ (and $KERASCPP_DATA_DIR itself if `data_dir_itself`);
///   3. Keras's cache: $KERAS_HOME/datasets/<keras_cache>, else ~/.keras/datasets/<keras_cache>
///      (checked against the pinned SHA-256);
///   4. kerascpp's cache: $XDG_CACHE_HOME/kerascpp/datasets/<name>/, else
///      ~/.cache/kerascpp/datasets/<name>/ (checked against the pinned SHA-256);
///   5. the spec's system folders;
///   6. download into kerascpp's cache from the origins, in order.
/// Files the user placed (1, 2, 5) are checked for structure (shapes, counts, labels) but not
/// hashed, so raw or recompressed IDX files work. Throws keras::IOError listing every place
/// tried, and how to put the files in place by hand, when nothing works.
ImageDataset load_image_dataset(const DatasetSpec& spec,
                                const std::optional<std::filesystem::path>& path,
                                const utils::DownloadOptions& download = {});

/// kerascpp's data set cache: $XDG_CACHE_HOME/kerascpp/datasets, else ~/.cache/kerascpp/datasets.
std::filesystem::path cache_dir();

/// Keras's home: $KERAS_HOME, else ~/.keras.
std::filesystem::path keras_home();

/// The download origins in effect for `spec`: $KERASCPP_DATASETS_ORIGIN (base URLs separated by
/// spaces, commas or semicolons; each serves <base>/<name>/<file>; "none" disables downloads),
/// else the spec's built-in origins.
std::vector<DatasetOrigin> download_origins(const DatasetSpec& spec);

/// Reads the four IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte,
/// t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte; each raw or with .gz) from `directory` and
/// checks them: 28x28 images, as many labels as images, labels below `num_classes`.
ImageDataset load_idx_directory(const std::filesystem::path& directory, int num_classes = 10);

/// Reads x_train, y_train, x_test, y_test from a Keras-style .npz (mnist.npz) with the same checks.
ImageDataset load_npz_dataset(const std::filesystem::path& npz, int num_classes = 10);

}  // namespace keras::datasets
