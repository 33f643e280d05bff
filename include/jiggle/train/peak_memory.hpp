#pragma once
#include <sys/resource.h>

namespace jiggle {

// The most memory this process has had resident so far, in bytes (Linux reports kilobytes).
inline long long peak_resident_bytes() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return -1;
  return static_cast<long long>(usage.ru_maxrss) * 1024;
}

}  // namespace jiggle
