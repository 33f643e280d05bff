# Options for jiggle's own programs (tests, examples, benchmarks), never for the exported target:
# a user's warning flags and sanitizers are theirs to choose.
function(jiggle_strict_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  if(JIGGLE_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

function(jiggle_native_code target)
  if(JIGGLE_NATIVE)
    target_compile_options(${target} PRIVATE -march=native)
    # GCC 12's own AVX-512 headers write `__m512 __Y = __Y;` (_mm512_undefined_ps) and then warn
    # about it (-Wmaybe-uninitialized) wherever Eigen's AVX-512 kernels inline them: a false
    # positive in the compiler's headers, fixed in later GCC, that -march=native switches on.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
      target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized)
    endif()
  endif()
endfunction()

# Eigen hands its products to a BLAS when EIGEN_USE_BLAS is defined. Prefer OpenBLAS built on
# OpenMP: it then shares jiggle's one thread pool instead of starting a second one that would
# compete for the same cores. The pthread build is taken only when no OpenMP build is found.
function(jiggle_optional_blas target)
  if(NOT JIGGLE_USE_OPENBLAS)
    return()
  endif()
  find_library(JIGGLE_OPENBLAS_LIBRARY NAMES libopenblas.so.0 openblas
    HINTS /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-openmp /usr/lib64/openblas-openmp)
  if(NOT JIGGLE_OPENBLAS_LIBRARY)
    message(FATAL_ERROR "JIGGLE_USE_OPENBLAS is ON but OpenBLAS was not found. "
                        "On Debian or Ubuntu: apt-get install libopenblas-dev libopenblas0-openmp")
  endif()
  target_compile_definitions(${target} PRIVATE EIGEN_USE_BLAS)
  target_link_libraries(${target} PRIVATE ${JIGGLE_OPENBLAS_LIBRARY})
endfunction()

# One of jiggle's own programs (an example or a benchmark): strict warnings, code for this CPU,
# the optional BLAS, and the source tree's MNIST folder as its default data.
function(jiggle_add_program target source)
  add_executable(${target} ${source})
  target_link_libraries(${target} PRIVATE jiggle::jiggle)
  target_compile_definitions(${target} PRIVATE JIGGLE_MNIST_DIR="${PROJECT_SOURCE_DIR}/data/mnist")
  jiggle_strict_warnings(${target})
  jiggle_native_code(${target})
  jiggle_optional_blas(${target})
endfunction()
