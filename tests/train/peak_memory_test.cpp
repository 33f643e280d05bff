#include "jiggle/train/peak_memory.hpp"

#include <cstring>
#include <memory>

#include "support/catch.hpp"

TEST_CASE("peak_resident_bytes grows when memory is touched", "[peak_memory]") {
  const long long before = jiggle::peak_resident_bytes();
  REQUIRE(before > 0);
  constexpr std::size_t kBytes = std::size_t{64} << 20;
  const auto block = std::make_unique<char[]>(kBytes);
  std::memset(block.get(), 1, kBytes);  // resident only once written
  REQUIRE(jiggle::peak_resident_bytes() >= before + static_cast<long long>(kBytes) / 2);
  REQUIRE(block[kBytes - 1] == 1);
}
