#include "jiggle/train/peak_memory.hpp"

#include <cstring>
#include <memory>

#include "support/catch.hpp"

TEST_CASE("peak_resident_bytes grows when memory is touched", "[peak_memory]") {
  const long long before = jiggle::peak_resident_bytes();
  REQUIRE(before > 0);
  // Larger than the peak so far, which earlier tests in the same process may have raised.
  const std::size_t bytes = static_cast<std::size_t>(before) + (std::size_t{64} << 20);
  const auto block = std::make_unique<char[]>(bytes);
  std::memset(block.get(), 1, bytes);  // resident only once written
  REQUIRE(jiggle::peak_resident_bytes() >= before + (64LL << 20) / 2);
  REQUIRE(block[bytes - 1] == 1);
}
