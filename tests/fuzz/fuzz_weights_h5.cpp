// libFuzzer target: the HDF5 weights file, read into a fixed small model (the path a .weights.h5,
// a legacy .h5 or the model.weights.h5 inside a .keras takes). Inputs reach the HDF5 C library's
// own parser, which kerascpp cannot harden; findings there are reported upstream, not hidden.
#include <unistd.h>
#include <fstream>
#include <keras/keras.hpp>

namespace {
const keras::io::LoadOptions kOptions{.on_warning = [](const std::string&) {}};

keras::Sequential& model() {
  static keras::Sequential m = [] {
    using namespace keras::layers;
    keras::Sequential s{Input({3}), Dense(4, "relu"), Dropout(0.5), Dense(2, "softmax")};
    s.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
    return s;
  }();
  return m;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/kerascpp-fuzz-weights-" + std::to_string(getpid()) + ".h5";
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), std::streamsize(size));
  try {
    keras::io::load_weights(model(), path, kOptions);
  } catch (const keras::Error&) {
  }
  return 0;
}
