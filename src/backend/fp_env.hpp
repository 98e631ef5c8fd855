// Internal: the floating-point environment of kerascpp's kernels.
//
// Denormal floats (magnitudes below 1.2e-38) cost a microcode assist of ~100 cycles per
// operation on x86. Adam's moments decay into that range for weights whose inputs are rarely
// non-zero (MNIST's border pixels), which made a training step 25% slower. The kernels therefore
// run with denormals flushed to zero (MXCSR FTZ + DAZ), as TensorFlow does; the caller's mode is
// restored on return, and the pool's workers take the mode of the thread that starts a region.
#pragma once

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

namespace keras::backend {

#if defined(__x86_64__) || defined(__i386__)
inline unsigned fp_mode() {
  return _mm_getcsr();
}
inline void set_fp_mode(unsigned mode) {
  _mm_setcsr(mode);
}
constexpr unsigned kFlushDenormals = 0x8040;  // FTZ | DAZ
#else
inline unsigned fp_mode() {
  return 0;
}
inline void set_fp_mode(unsigned) {}
constexpr unsigned kFlushDenormals = 0;
#endif

/// Flushes denormals to zero on this thread for its lifetime.
class FlushDenormals {
 public:
  FlushDenormals() : saved_(fp_mode()) {
    if ((saved_ & kFlushDenormals) != kFlushDenormals) set_fp_mode(saved_ | kFlushDenormals);
  }
  ~FlushDenormals() {
    if ((saved_ & kFlushDenormals) != kFlushDenormals) set_fp_mode(saved_);
  }
  FlushDenormals(const FlushDenormals&) = delete;
  FlushDenormals& operator=(const FlushDenormals&) = delete;

 private:
  unsigned saved_;
};

}  // namespace keras::backend
