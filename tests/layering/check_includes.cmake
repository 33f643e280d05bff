# Fails when a header under include/jiggle includes one of a part it may not depend on: the parts
# below, each listed with what it may include (docs/library.md draws them). Run by CTest:
#   cmake -DINCLUDE_DIR=<repository>/include -P tests/layering/check_includes.cmake
# Each part: its name, then the pattern of its headers' paths under include/; a header belongs
# to the first part whose pattern matches.
cmake_minimum_required(VERSION 3.21)
set(parts
  "base ^jiggle/(error|precision|random|tensor|shape|process_group|parallel)\\.hpp$"
  "kernels ^jiggle/kernels/"
  "products ^jiggle/(multiply|gradient_target)\\.hpp$"
  "protocol ^jiggle/(layer|loss|init|chain)\\.hpp$"
  "layers ^jiggle/(layers|losses|models)/"
  "io ^jiggle/io/"
  "checkpoint ^jiggle/checkpoint\\.hpp$"
  "data ^jiggle/data/"
  "optim ^jiggle/optim/"
  "check ^jiggle/check/"
  "train ^jiggle/train/"
  "distributed ^jiggle/distributed/"
  "umbrella ^jiggle/jiggle\\.hpp$")
# What each part may include besides itself. io/ holds file formats, which know nothing of layers.
set(may_include_base "")
set(may_include_kernels base)
set(may_include_products base kernels)
set(may_include_protocol base kernels products)
set(may_include_layers base kernels products protocol)
set(may_include_io base)
set(may_include_checkpoint base kernels products protocol io)
set(may_include_data base kernels io)
set(may_include_optim base kernels products protocol)
set(may_include_check base kernels products protocol)
set(may_include_train base kernels products protocol layers io checkpoint data optim)
set(may_include_distributed base kernels products protocol io checkpoint data optim train)
set(may_include_umbrella base kernels products protocol layers io checkpoint data optim check train distributed)
function(part_of header result)
  foreach(entry IN LISTS parts)
    string(FIND "${entry}" " " space)
    string(SUBSTRING "${entry}" 0 ${space} name)
    math(EXPR start "${space} + 1")
    string(SUBSTRING "${entry}" ${start} -1 pattern)
    if(header MATCHES "${pattern}")
      set(${result} ${name} PARENT_SCOPE)
      return()
    endif()
  endforeach()
  set(${result} "" PARENT_SCOPE)
endfunction()

file(GLOB_RECURSE headers RELATIVE "${INCLUDE_DIR}" "${INCLUDE_DIR}/jiggle/*.hpp")
set(problems "")
foreach(header IN LISTS headers)
  part_of("${header}" from)
  if(NOT from)
    list(APPEND problems "${header} belongs to no part: add it to tests/layering/check_includes.cmake")
    continue()
  endif()
  file(STRINGS "${INCLUDE_DIR}/${header}" includes REGEX "^[ \t]*#[ \t]*include[ \t]*[\"<]jiggle/")
  foreach(line IN LISTS includes)
    string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*[\"<]([^\">]+)[\">].*" "\\1" included "${line}")
    part_of("${included}" to)
    if(to STREQUAL from OR to IN_LIST may_include_${from})
      continue()
    endif()
    list(APPEND problems "${header} -> ${included}: ${from} may not include ${to}")
  endforeach()
endforeach()
if(problems)
  list(JOIN problems "\n  " text)
  message(FATAL_ERROR "includes that point up the layering:\n  ${text}")
endif()
list(LENGTH headers count)
message("the includes of ${count} headers point down the layering")
