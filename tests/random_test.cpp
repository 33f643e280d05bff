#include "jiggle/random.hpp"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

#include "support/catch.hpp"

TEST_CASE("Rng gives the same stream for the same seed and another for another seed", "[random]") {
  jiggle::Rng a(42), b(42), c(43);
  for (int i = 0; i < 100; ++i) {
    const auto x = a.next();
    REQUIRE(x == b.next());
    REQUIRE(x != c.next());
  }
}

TEST_CASE("Rng's first draws from seed 0 are fixed on every platform", "[random]") {
  // Pinned values: a change of generator would silently change every seeded run.
  jiggle::Rng rng(0);
  const std::uint64_t first = rng.next();
  jiggle::Rng again(0);
  REQUIRE(first == again.next());
  REQUIRE(first == 0x99EC5F36CB75F2B4ULL);
}

TEST_CASE("Rng uniform and normal draws have the right moments", "[random]") {
  jiggle::Rng rng(1);
  const int n = 200000;
  double sum_u = 0, sum_n = 0, sum_n2 = 0;
  double lowest = 1, highest = 0;
  for (int i = 0; i < n; ++i) {
    const double u = rng.uniform();
    lowest = std::min(lowest, u);
    highest = std::max(highest, u);
    sum_u += u;
    const double z = rng.normal();
    sum_n += z;
    sum_n2 += z * z;
  }
  REQUIRE(lowest >= 0.0);
  REQUIRE(highest < 1.0);
  REQUIRE(sum_u / n == Approx(0.5).margin(0.005));
  REQUIRE(sum_n / n == Approx(0.0).margin(0.01));
  REQUIRE(sum_n2 / n == Approx(1.0).margin(0.01));
}

TEST_CASE("Rng shuffle is a seeded permutation", "[random]") {
  std::vector<int> items(1000);
  std::iota(items.begin(), items.end(), 0);
  auto shuffled = items;
  jiggle::Rng rng(3);
  rng.shuffle(shuffled.begin(), shuffled.end());
  REQUIRE(shuffled != items);
  auto again = items;
  jiggle::Rng same(3);
  same.shuffle(again.begin(), again.end());
  REQUIRE(again == shuffled);
  std::sort(shuffled.begin(), shuffled.end());
  REQUIRE(shuffled == items);
}

TEST_CASE("Rng below stays below its bound and reaches every value", "[random]") {
  jiggle::Rng rng(4);
  std::vector<int> seen(7, 0);
  for (int i = 0; i < 7000; ++i) {
    const auto value = rng.below(7);
    REQUIRE(value < 7);
    ++seen[value];
  }
  for (int count : seen) REQUIRE(count > 800);
}

TEST_CASE("Rng streams of a seed repeat, and differ from each other and from the seed's own stream", "[random]") {
  auto first_draws = [](jiggle::Rng rng) {
    std::vector<std::uint64_t> draws(4);
    for (auto& draw : draws) draw = rng.next();
    return draws;
  };
  const auto stream_0 = first_draws(jiggle::Rng(7, 0));
  REQUIRE(first_draws(jiggle::Rng(7, 0)) == stream_0);
  REQUIRE(first_draws(jiggle::Rng(7, 1)) != stream_0);
  REQUIRE(first_draws(jiggle::Rng(8, 0)) != stream_0);
  REQUIRE(first_draws(jiggle::Rng(7)) != stream_0);
  REQUIRE(first_draws(jiggle::Rng(7, std::uint64_t{1} << 33)) != stream_0);
}
