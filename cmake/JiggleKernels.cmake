# jiggle::kernels: the product kernels compiled once, in a static library of their own. A program
# links it beside jiggle::jiggle (or instead: it brings jiggle::jiggle along), and each of its
# files then compiles the kernels' declarations alone (JIGGLE_SEPARATE_KERNELS, see
# kernels/gemm.hpp): an edit of a one-file program recompiles about half as much. Header-only
# use, jiggle::jiggle alone, stays as it is. Built only for a program that links it.
# SOURCE: the kernels' file (cmake/kernels.cpp in the source tree; installed beside the package).
function(jiggle_add_kernels_library source)
  add_library(jiggle_kernels STATIC EXCLUDE_FROM_ALL ${source})
  add_library(jiggle::kernels ALIAS jiggle_kernels)
  target_link_libraries(jiggle_kernels PUBLIC jiggle::jiggle)
  target_compile_definitions(jiggle_kernels PUBLIC JIGGLE_SEPARATE_KERNELS)
  # A shared library of the user's may link it.
  set_target_properties(jiggle_kernels PROPERTIES POSITION_INDEPENDENT_CODE ON)
endfunction()
