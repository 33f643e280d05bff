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

# The product kernels compiled once (kernels.cpp, see kernels/gemm.hpp) and linked into `target`,
# whose files then compile only their declarations: one object library per FLAVOUR, a set of
# programs compiled with the same flags, made by the first program of that flavour.
function(jiggle_separate_kernels target flavour)
  set(kernels jiggle_kernels_for_${flavour})
  if(NOT TARGET ${kernels})
    add_library(${kernels} OBJECT ${PROJECT_SOURCE_DIR}/cmake/kernels.cpp)
    target_link_libraries(${kernels} PRIVATE jiggle::jiggle)
    target_compile_definitions(${kernels} PUBLIC JIGGLE_SEPARATE_KERNELS)
    jiggle_strict_warnings(${kernels})
    if(flavour STREQUAL "programs")
      jiggle_native_code(${kernels})
    endif()
  endif()
  target_link_libraries(${target} PRIVATE ${kernels})
endfunction()

# One of jiggle's own programs (an example or a benchmark): strict warnings, code for this CPU,
# the kernels compiled once for all of them, and the source tree's MNIST folder as its default
# data.
function(jiggle_add_program target source)
  add_executable(${target} ${source})
  target_link_libraries(${target} PRIVATE jiggle::jiggle)
  jiggle_separate_kernels(${target} programs)
  target_compile_definitions(${target} PRIVATE JIGGLE_MNIST_DIR="${PROJECT_SOURCE_DIR}/data/mnist")
  jiggle_strict_warnings(${target})
  jiggle_native_code(${target})
endfunction()
