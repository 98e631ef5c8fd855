#include "keras/datasets/mnist.hpp"

#include <cstdlib>

#include "keras/core/error.hpp"
#include "keras/datasets/idx.hpp"

namespace keras::datasets {

namespace {

std::filesystem::path find_idx(const std::filesystem::path& dir, const std::string& stem) {
  for (const char* suffix : {".gz", ""}) {
    auto p = dir / (stem + suffix);
    if (std::filesystem::exists(p)) return p;
  }
  throw IOError("data file '" + (dir / (stem + ".gz")).string() + "' not found (nor '" + stem +
                "' without .gz). Put the four IDX files (train-images-idx3-ubyte.gz, "
                "train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) "
                "in that directory");
}

void check_images(const ByteArray& x, const std::filesystem::path& path) {
  if (x.ndim() != 3 || x.shape()[1] != 28 || x.shape()[2] != 28)
    throw IOError("IDX file '" + path.string() + "': expected images of shape (N, 28, 28), found " +
                  x.shape().str());
}

void check_labels(const ByteArray& y, const ByteArray& x, const std::filesystem::path& path,
                  int num_classes) {
  if (y.ndim() != 1)
    throw IOError("IDX file '" + path.string() + "': expected a 1-D label array, found shape " + y.shape().str());
  if (y.shape()[0] != x.shape()[0])
    throw IOError("IDX file '" + path.string() + "': " + std::to_string(y.shape()[0]) + " labels for " +
                  std::to_string(x.shape()[0]) + " images; the image and label files do not belong together");
  for (int64_t i = 0; i < y.size(); ++i)
    if (y[i] >= num_classes)
      throw IOError("IDX file '" + path.string() + "': label " + std::to_string(y[i]) + " at index " +
                    std::to_string(i) + " is not a class in 0.." + std::to_string(num_classes - 1));
}

}  // namespace

ImageDataset load_idx_directory(const std::filesystem::path& dir, int num_classes) {
  if (!std::filesystem::is_directory(dir))
    throw IOError("data directory '" + dir.string() + "' does not exist or is not a directory");
  ImageDataset d;
  const auto xtr = find_idx(dir, "train-images-idx3-ubyte"), ytr = find_idx(dir, "train-labels-idx1-ubyte");
  const auto xte = find_idx(dir, "t10k-images-idx3-ubyte"), yte = find_idx(dir, "t10k-labels-idx1-ubyte");
  d.x_train = read_idx(xtr);
  check_images(d.x_train, xtr);
  d.y_train = read_idx(ytr);
  check_labels(d.y_train, d.x_train, ytr, num_classes);
  d.x_test = read_idx(xte);
  check_images(d.x_test, xte);
  d.y_test = read_idx(yte);
  check_labels(d.y_test, d.x_test, yte, num_classes);
  return d;
}

ImageDataset mnist::load_data(const std::optional<std::filesystem::path>& directory) {
  if (directory) return load_idx_directory(*directory);
  if (const char* env = std::getenv("KERASCPP_DATA_DIR"); env && *env) {
    std::filesystem::path base(env);
    // $KERASCPP_DATA_DIR may point at the files or at a folder holding mnist/.
    if (std::filesystem::is_directory(base / "mnist")) return load_idx_directory(base / "mnist");
    return load_idx_directory(base);
  }
  throw IOError("MNIST not found: pass its directory to load_data(dir) or set KERASCPP_DATA_DIR to a "
                "directory holding the four IDX files (train-images-idx3-ubyte.gz, "
                "train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz)");
}

}  // namespace keras::datasets
