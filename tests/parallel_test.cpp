#include "jiggle/parallel.hpp"

#include "support/catch.hpp"

TEST_CASE("set_thread_count sizes the one pool for jiggle's loops and Eigen's products", "[parallel]") {
  const int before = jiggle::thread_count();
  jiggle::set_thread_count(1);
  REQUIRE(jiggle::thread_count() == 1);
  REQUIRE(Eigen::nbThreads() == 1);
#ifdef _OPENMP
  jiggle::set_thread_count(2);
  REQUIRE(jiggle::thread_count() == 2);
  REQUIRE(Eigen::nbThreads() == 2);
#endif
  jiggle::set_thread_count(before);
}

TEST_CASE("JIGGLE_OMP runs a loop in parallel with the right result", "[parallel]") {
  long long sum = 0;
  JIGGLE_OMP(parallel for reduction(+ : sum))
  for (int i = 1; i <= 1000; ++i) sum += i;
  REQUIRE(sum == 500500);
}
