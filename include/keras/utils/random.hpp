// Seeded randomness. All random numbers in kerascpp (initialisers, shuffling, dropout masks) come
// from Generators derived from one global seed, so a run is reproducible bit for bit for a given
// seed and thread count.
#pragma once

#include <cstdint>

namespace keras::utils {

/// Seeds every random generator kerascpp creates from now on (Keras's
/// `keras.utils.set_random_seed`). Without a call, the seed comes from std::random_device.
void set_random_seed(uint64_t seed);

}  // namespace keras::utils

namespace keras::random {

/// SplitMix64: advances `state` and returns its next output. Seeds every Generator (a
/// Generator(seed) holds the next four outputs from state = seed).
uint64_t splitmix64(uint64_t& state);

/// xoshiro256** generator: small, fast, identical on every platform (unlike std::
/// distributions, whose output differs between standard libraries).
class Generator {
 public:
  explicit Generator(uint64_t seed = 0);
  uint64_t next_u64();
  /// Uniform in [0, 1) with 24 random bits (float's mantissa).
  float uniform() { return static_cast<float>(next_u64() >> 40) * 0x1.0p-24f; }
  /// Uniform in [low, high).
  float uniform(float low, float high) { return low + (high - low) * uniform(); }
  /// Uniform integer in [0, n).
  uint64_t below(uint64_t n);
  /// Standard normal (Box-Muller).
  float normal();

 private:
  uint64_t s_[4];
};

/// A generator for a new consumer (a layer, a fit call): each call returns the next stream of
/// the global seed, so the order of creation fixes every stream.
Generator make_generator();

}  // namespace keras::random
