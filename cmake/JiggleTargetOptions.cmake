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

# One of jiggle's own programs (an example or a benchmark): strict warnings, code for this CPU,
# the kernels compiled once for all of them (as jiggle::kernels, but for this CPU too), and the
# source tree's MNIST folder as its default data.
function(jiggle_add_program target source)
  add_executable(${target} ${source})
  target_link_libraries(${target} PRIVATE jiggle::jiggle)
  if(NOT TARGET jiggle_kernels_for_programs)
    add_library(jiggle_kernels_for_programs OBJECT ${PROJECT_SOURCE_DIR}/cmake/kernels.cpp)
    target_link_libraries(jiggle_kernels_for_programs PRIVATE jiggle::jiggle)
    target_compile_definitions(jiggle_kernels_for_programs PUBLIC JIGGLE_SEPARATE_KERNELS)
    jiggle_strict_warnings(jiggle_kernels_for_programs)
    jiggle_native_code(jiggle_kernels_for_programs)
  endif()
  target_link_libraries(${target} PRIVATE jiggle_kernels_for_programs)
  target_compile_definitions(${target} PRIVATE JIGGLE_MNIST_DIR="${PROJECT_SOURCE_DIR}/data/mnist")
  jiggle_strict_warnings(${target})
  jiggle_native_code(${target})
endfunction()
