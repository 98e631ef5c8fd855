// libFuzzer target: any bytes given to the IDX reader (raw or gzip) either decode or throw
// keras::Error; never a crash, a sanitizer report, or an allocation the input cannot justify.
#include <cstddef>
#include <cstdint>
#include <keras/core/error.hpp>
#include <keras/datasets/idx.hpp>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const keras::ByteArray a = keras::datasets::decode_idx({data, size}, "fuzz");
    static volatile uint64_t sink;  // touch every byte: the shape must match the buffer
    uint64_t sum = 0;
    for (int64_t i = 0; i < a.size(); ++i) sum += a.data()[i];
    sink = sum;
  } catch (const keras::Error&) {
  }
  return 0;
}
