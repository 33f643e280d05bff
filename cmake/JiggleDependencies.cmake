# Eigen: Debian's 3.4.0 fails a `3.4...5` range request and a plain `3.4` request rejects Eigen 5,
# so ask for any version and check the floor here.
find_package(Eigen3 NO_MODULE QUIET)
if(NOT Eigen3_FOUND)
  message(FATAL_ERROR "jiggle needs Eigen 3.4 or newer, which was not found. "
                      "On Debian or Ubuntu: apt-get install libeigen3-dev")
endif()
if(Eigen3_VERSION VERSION_LESS 3.4)
  message(FATAL_ERROR "jiggle needs Eigen 3.4 or newer, found ${Eigen3_VERSION}")
endif()

find_package(ZLIB QUIET)
if(NOT ZLIB_FOUND)
  message(FATAL_ERROR "jiggle reads gzip-compressed IDX files through zlib, which was not found. "
                      "On Debian or Ubuntu: apt-get install zlib1g-dev")
endif()

# jiggle's own threads run its parallel loops (jiggle/parallel.hpp); OpenMP only vectorises
# its marked loops.
set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)
find_package(OpenMP QUIET COMPONENTS CXX)
if(NOT OpenMP_CXX_FOUND)
  message(STATUS "jiggle: OpenMP not found, loops are vectorised at the compiler's discretion")
endif()
