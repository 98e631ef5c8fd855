// libFuzzer target: a whole .keras archive (zip directory and entries, config.json, the HDF5
// weights inside). Any input must load or be a keras::Error: never a crash, a sanitizer report,
// a huge allocation or another exception.
#include <keras/keras.hpp>

namespace {
const keras::io::LoadOptions kOptions{
    .compile = true, .max_params = 1 << 20, .on_warning = [](const std::string&) {}};
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    keras::Sequential model = keras::io::load_keras_bytes(
        std::string(reinterpret_cast<const char*>(data), size), kOptions, "fuzz.keras");
    (void)model;
  } catch (const keras::Error&) {
  }
  return 0;
}
