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
  endif()
endfunction()
