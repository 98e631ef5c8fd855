#include "keras/datasets/mnist.hpp"

namespace keras::datasets::mnist {

// Hashes of the canonical files (../shared/data/mnist/SHA256SUMS; Keras pins mnist.npz's).
const DatasetSpec& spec() {
  static const DatasetSpec s{
      .name = "mnist",
      .title = "MNIST",
      .idx_files = {{
          {"train-images-idx3-ubyte.gz",
           "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", 9912422},
          {"train-labels-idx1-ubyte.gz",
           "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", 28881},
          {"t10k-images-idx3-ubyte.gz",
           "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", 1648877},
          {"t10k-labels-idx1-ubyte.gz",
           "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", 4542},
      }},
      .npz =
          RemoteFile{"mnist.npz",
                     "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1", 11490434},
      .keras_cache = "mnist.npz",
      .origins = {{"https://storage.googleapis.com/tensorflow/tf-keras-datasets/", true},
                  {"https://storage.googleapis.com/cvdf-datasets/mnist/", false},
                  {"https://ossci-datasets.s3.amazonaws.com/mnist/", false}},
      .system_dirs = {},
      .data_dir_itself = true,
      .num_classes = 10,
  };
  return s;
}

ImageDataset load_data(const std::optional<std::filesystem::path>& path) {
  return load_image_dataset(spec(), path);
}

}  // namespace keras::datasets::mnist
