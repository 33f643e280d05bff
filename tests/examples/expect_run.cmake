# Runs a program and checks its exit code and output: CTest alone can only tell zero from
# non-zero, and mnist_mlp promises 2 for usage errors and 1 for everything else.
#   -DPROGRAM=... -DARGS="a|b" -DEXPECT_EXIT=N -DEXPECT_OUTPUT=regex [-DNEEDS_FOLDER=dir]
#   [-DCORRUPT_FOLDER=dir]: first fills dir with MNIST-named files that are not IDX.
if(DEFINED NEEDS_FOLDER AND NOT IS_DIRECTORY "${NEEDS_FOLDER}")
  message("SKIPPED: MNIST not found in ${NEEDS_FOLDER} (run data/fetch_mnist.sh)")
  return()
endif()
if(DEFINED CORRUPT_FOLDER)
  file(REMOVE_RECURSE "${CORRUPT_FOLDER}")
  file(MAKE_DIRECTORY "${CORRUPT_FOLDER}")
  foreach(name train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
    file(WRITE "${CORRUPT_FOLDER}/${name}" "this is not an IDX file")
  endforeach()
endif()
string(REPLACE "|" ";" ARGS "${ARGS}")
execute_process(COMMAND "${PROGRAM}" ${ARGS}
  RESULT_VARIABLE exit_code OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("exit code: ${exit_code}\nstdout:\n${out}\nstderr:\n${err}")
if(NOT exit_code STREQUAL EXPECT_EXIT)
  message(FATAL_ERROR "expected exit code ${EXPECT_EXIT}, got ${exit_code}")
endif()
if(NOT "${out}${err}" MATCHES "${EXPECT_OUTPUT}")
  message(FATAL_ERROR "output does not match: ${EXPECT_OUTPUT}")
endif()
if(DEFINED CORRUPT_FOLDER)
  file(REMOVE_RECURSE "${CORRUPT_FOLDER}")
endif()
