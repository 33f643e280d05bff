#pragma once
#include "jiggle/parallel.hpp"

namespace test_support {

// Restores the size of jiggle's pool when a test ends, however it ends.
struct ThreadCountKept {
  int before = jiggle::thread_count();
  ThreadCountKept() = default;
  ThreadCountKept(const ThreadCountKept&) = delete;
  ThreadCountKept& operator=(const ThreadCountKept&) = delete;
  ~ThreadCountKept() { jiggle::set_thread_count(before); }
};

}  // namespace test_support
