# Fails when <jiggle/jiggle.hpp>, preprocessed as on a platform without POSIX, includes anything
# but jiggle's own headers, the C++ standard library's, Eigen's, zlib's, or the compiler's x86 intrinsics and CPUID.
# The compiler's -dI prints every #include it obeys, even of a header already read, so a POSIX
# header that the standard library happened to include first is still seen. Run by CTest:
#   cmake -DCOMPILER=<c++> -DINCLUDE_DIR=<repository>/include "-DSYSTEM_INCLUDES=<dir>;<dir>"
#         -DWORK_FILE=<scratch file> -P tests/layering/check_platform_includes.cmake
cmake_minimum_required(VERSION 3.21)
set(without_posix -U__unix__ -U__unix -Uunix -U__linux__ -U__linux -Ulinux -U__gnu_linux__ -U__APPLE__)
set(system_flags "")
foreach(folder IN LISTS SYSTEM_INCLUDES)
  list(APPEND system_flags -isystem ${folder})
endforeach()
execute_process(
  COMMAND ${COMPILER} -std=c++20 -E -dI ${without_posix} -I${INCLUDE_DIR} ${system_flags}
          -x c++ ${INCLUDE_DIR}/jiggle/jiggle.hpp
  OUTPUT_FILE ${WORK_FILE} ERROR_VARIABLE errors RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "jiggle.hpp does not preprocess without POSIX:\n${errors}")
endif()
file(STRINGS ${WORK_FILE} lines REGEX "^(# [0-9]+ \"|#include )")
set(current "")
set(problems "")
set(jiggle_headers 0)
foreach(line IN LISTS lines)
  if(line MATCHES "^# [0-9]+ \"([^\"]+)\"")
    set(current "${CMAKE_MATCH_1}")
    continue()
  endif()
  if(NOT current MATCHES "^${INCLUDE_DIR}/jiggle/")
    continue()
  endif()
  string(REGEX REPLACE "^#include [<\"]([^>\"]+)[>\"].*" "\\1" included "${line}")
  if(included MATCHES "^(jiggle|Eigen)/" OR NOT included MATCHES "[./]" OR included MATCHES "^(immintrin|cpuid|zlib)\\.h$")
    math(EXPR jiggle_headers "${jiggle_headers} + 1")
    continue()
  endif()
  string(REPLACE "${INCLUDE_DIR}/" "" header "${current}")
  list(APPEND problems "${header} includes <${included}>")
endforeach()
file(REMOVE ${WORK_FILE})
if(problems)
  list(REMOVE_DUPLICATES problems)
  list(JOIN problems "\n  " text)
  message(FATAL_ERROR "without POSIX, jiggle.hpp still includes what is neither standard C++ nor jiggle's "
                      "dependencies:\n  ${text}")
endif()
if(jiggle_headers EQUAL 0)
  message(FATAL_ERROR "no #include of a jiggle header was seen: the compiler's -dI output was not understood")
endif()
message("without POSIX, jiggle.hpp's headers obey ${jiggle_headers} includes, each of standard C++, Eigen, zlib, "
        "the intrinsics or jiggle")
