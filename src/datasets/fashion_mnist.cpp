#include "keras/datasets/fashion_mnist.hpp"

namespace keras::datasets::fashion_mnist {

// Hashes of Zalando's published .gz files, which Keras's origin serves too. Debian's package
// ships them without the file name in the gzip header (other hashes), so its folder is read
// unhashed.
const DatasetSpec& spec() {
  static const DatasetSpec s{
      .name = "fashion-mnist",
      .title = "Fashion-MNIST",
      .idx_files = {{
          {"train-images-idx3-ubyte.gz",
           "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84", 26421880},
          {"train-labels-idx1-ubyte.gz",
           "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845", 29515},
          {"t10k-images-idx3-ubyte.gz",
           "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073", 4422102},
          {"t10k-labels-idx1-ubyte.gz",
           "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5", 5148},
      }},
      .npz = std::nullopt,
      .keras_cache = "fashion-mnist",
      .origins = {{"https://storage.googleapis.com/tensorflow/tf-keras-datasets/", false},
                  {"http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/", false}},
      .system_dirs = {"/usr/share/datasets/fashion-mnist"},
      .data_dir_itself = false,
      .num_classes = 10,
  };
  return s;
}

ImageDataset load_data(const std::optional<std::filesystem::path>& path) {
  return load_image_dataset(spec(), path);
}

}  // namespace keras::datasets::fashion_mnist
