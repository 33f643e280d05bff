# A run stopped by --stop-after-steps and resumed with the command it printed must end with the
# same weights, bit for bit, as the run never stopped; then resuming with another recipe must
# fail, naming the difference.
#   -DPROGRAM=... -DROW=name -DARGS="a|b" -DSTOP_AFTER=N -DWORK=dir -DNEEDS_FOLDER=dir [-DOTHER_CONFIG=name]
if(NOT IS_DIRECTORY "${NEEDS_FOLDER}")
  message("SKIPPED: MNIST not found in ${NEEDS_FOLDER} (run data/fetch_mnist.sh)")
  return()
endif()
string(REPLACE "|" ";" ARGS "${ARGS}")
list(PREPEND ARGS "${ROW}")
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

include("${CMAKE_CURRENT_LIST_DIR}/run_program.cmake")

run(0 "${PROGRAM}" ${ARGS} --quiet --save whole.safetensors)
run(0 "${PROGRAM}" ${ARGS} --quiet --save resumed.safetensors --stop-after-steps ${STOP_AFTER}
    --checkpoint state.safetensors)
if(NOT err MATCHES "stopped as asked at step ${STOP_AFTER} .*\nto resume: ([^\n]*)\n")
  message(FATAL_ERROR "no resume command printed")
endif()
run(0 sh -c "${CMAKE_MATCH_1}")
file(SHA256 "${WORK}/whole.safetensors" whole)
file(SHA256 "${WORK}/resumed.safetensors" resumed)
if(NOT whole STREQUAL resumed)
  message(FATAL_ERROR "the resumed run's weights differ from the uninterrupted run's")
endif()
message("the weights are bit-identical: ${whole}")

if(DEFINED OTHER_CONFIG)
  list(REMOVE_AT ARGS 0)
  run(1 "${PROGRAM}" ${OTHER_CONFIG} ${ARGS} --resume state.safetensors)
  if(NOT err MATCHES "state.safetensors: was written by a run with recipe [a-z-]+, and this run has recipe ${OTHER_CONFIG}")
    message(FATAL_ERROR "the recipe's difference is not named")
  endif()
  run(1 "${PROGRAM}" ${ROW} ${ARGS} --epochs 3 --resume state.safetensors)
  if(NOT err MATCHES "was written by a run with recipe.epochs 2, and this run has recipe.epochs 3")
    message(FATAL_ERROR "the number of epochs' difference is not named")
  endif()
endif()
file(REMOVE_RECURSE "${WORK}")
