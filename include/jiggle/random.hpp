#pragma once
// A small seeded generator whose streams are the same on every platform and standard library:
// std::normal_distribution and std::shuffle are implementation-defined, and Eigen's Random()
// is neither seeded by us nor thread-safe. A run is reproducible only if its draws are.
#include <cmath>
#include <cstdint>
#include <numbers>
#include <utility>

namespace jiggle {

// xoshiro256** (Blackman & Vigna), seeded through splitmix64 so that any 64-bit seed,
// including 0, gives a well-mixed state.
class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0) {
    for (auto& word : state_) word = splitmix64(seed);
  }

  // Stream `stream` of `seed`: a generator of its own for each (seed, stream) pair, so a draw
  // that belongs to, say, epoch 7 can be made without replaying epochs 0 to 6.
  Rng(std::uint64_t seed, std::uint64_t stream) {
    std::uint64_t mixed = seed;
    mixed = splitmix64(mixed) ^ stream;
    for (auto& word : state_) word = splitmix64(mixed);
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, 1), with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  double uniform(double low, double high) { return low + (high - low) * uniform(); }

  // Standard normal by Box-Muller; log(1 - u) keeps the argument of log away from 0.
  double normal() {
    const double radius = std::sqrt(-2.0 * std::log(1.0 - uniform()));
    return radius * std::cos(2.0 * std::numbers::pi * uniform());
  }

  // Uniform integer in [0, bound), unbiased by rejection.
  std::uint64_t below(std::uint64_t bound) {
    const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % bound);
    std::uint64_t draw = next();
    while (draw >= limit) draw = next();
    return draw % bound;
  }

  // Fisher-Yates, so a seed gives the same permutation everywhere.
  template <class RandomIt>
  void shuffle(RandomIt first, RandomIt last) {
    for (auto remaining = last - first; remaining > 1; --remaining) {
      const auto pick = static_cast<decltype(remaining)>(below(static_cast<std::uint64_t>(remaining)));
      std::swap(first[remaining - 1], first[pick]);
    }
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  // Advances `counter` and returns a well-mixed word of it.
  static std::uint64_t splitmix64(std::uint64_t& counter) {
    counter += 0x9E3779B97F4A7C15ULL;
    std::uint64_t z = counter;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

  std::uint64_t state_[4]{};
};

}  // namespace jiggle
