// libFuzzer target: any bytes given to the .npz reader (a zip, "PK...") or the .npy reader
// either load or throw keras::Error; never a crash, a sanitizer report, or an allocation the
// input cannot justify.
#include <cstddef>
#include <cstdint>
#include <keras/core/error.hpp>
#include <keras/io/npy.hpp>
#include <variant>

namespace {
void touch(const keras::io::AnyArray& any) {
  std::visit(
      [](const auto& a) {
        static volatile double sink;
        double sum = 0;
        for (int64_t i = 0; i < a.size(); ++i) sum += double(a.data()[i]);
        sink = sum;
      },
      any);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    if (size >= 2 && data[0] == 'P' && data[1] == 'K') {
      const keras::io::NpzFile npz({data, size}, "fuzz.npz");
      for (const auto& key : npz.keys()) {
        try {
          touch(npz.get(key));
        } catch (const keras::Error&) {
        }
      }
    } else {
      touch(keras::io::parse_npy({data, size}, "fuzz.npy"));
    }
  } catch (const keras::Error&) {
  }
  return 0;
}
