# Rows run into a results folder: each leaves its log, weights and training state there; the same
# command again skips the finished runs; a run stopped part-way is resumed by the same command and
# ends bit-identical to a run never stopped; --report then tabulates the folder.
#   -DPROGRAM=... -DNEEDS_FOLDER=dir -DWORK=dir
if(NOT IS_DIRECTORY "${NEEDS_FOLDER}")
  message("SKIPPED: MNIST not found in ${NEEDS_FOLDER} (run data/fetch_mnist.sh)")
  return()
endif()
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

include("${CMAKE_CURRENT_LIST_DIR}/run_program.cmake")

set(small --data "${NEEDS_FOLDER}" --subset 512 --threads 2)
run(0 "${PROGRAM}" ${small} --epochs 1 --results results linear-sgd shallow-adam)
if(NOT out MATCHES "\\[1/2 linear-sgd seed 0\\] Epoch  1/1: .*\\[2/2 shallow-adam seed 0\\] Epoch  1/1: .*\n2 runs in ")
  message(FATAL_ERROR "the runs are not labelled, or the total time is missing")
endif()
foreach(file linear-sgd.seed0.csv linear-sgd.seed0.safetensors linear-sgd.seed0.state.safetensors
             shallow-adam.seed0.csv shallow-adam.seed0.safetensors shallow-adam.seed0.state.safetensors)
  if(NOT EXISTS "${WORK}/results/${file}")
    message(FATAL_ERROR "results/${file} was not written")
  endif()
endforeach()
run(0 "${PROGRAM}" ${small} --epochs 1 --results results linear-sgd shallow-adam)
if(NOT out MATCHES "finished earlier: .*linear-sgd.seed0.safetensors.*finished earlier: .*shallow-adam.seed0.safetensors"
   OR out MATCHES "Epoch")
  message(FATAL_ERROR "the finished runs ran again")
endif()

# Stopped at step 3 of 8, then the same command without the stop: it resumes.
run(0 "${PROGRAM}" ${small} --epochs 2 --results stopped mlp-sgd --stop-after-steps 3)
if(EXISTS "${WORK}/stopped/mlp-sgd.seed0.safetensors" OR NOT EXISTS "${WORK}/stopped/mlp-sgd.seed0.state.safetensors")
  message(FATAL_ERROR "the stopped run left weights, or no training state")
endif()
if(NOT err MATCHES "to resume: [^\n]*--results stopped mlp-sgd\n")
  message(FATAL_ERROR "the command to resume is not the same command without --stop-after-steps")
endif()
run(0 "${PROGRAM}" ${small} --epochs 2 --results stopped mlp-sgd)
if(NOT out MATCHES "resuming from [^\n]*mlp-sgd.seed0.state.safetensors: epoch 1, batch 3 of 4, step 3")
  message(FATAL_ERROR "the stopped run did not resume")
endif()
run(0 "${PROGRAM}" ${small} --epochs 2 --results whole mlp-sgd)
file(SHA256 "${WORK}/stopped/mlp-sgd.seed0.safetensors" resumed)
file(SHA256 "${WORK}/whole/mlp-sgd.seed0.safetensors" whole)
if(NOT resumed STREQUAL whole)
  message(FATAL_ERROR "the resumed run's weights differ from the uninterrupted run's")
endif()
file(READ "${WORK}/stopped/mlp-sgd.seed0.csv" resumed_log)
if(NOT resumed_log MATCHES "^epoch,train_loss,test_accuracy,seconds,test_accuracy_9984\n1,[^\n]*,0\\.[0-9]+\n2,[^\n]*,0\\.[0-9]+\n$")
  message(FATAL_ERROR "the resumed run's log does not hold both epochs")
endif()

run(0 "${PROGRAM}" --report results)
if(NOT out MATCHES "\n\\| linear-sgd \\| linear \\| 7,850 \\| SGD 0.1, momentum 0.9, 12 epochs, [^|]* \\| 1 \\| 91.90 % \\| [0-9.]+ % \\| [0-9.]+ % \\|"
   OR NOT out MATCHES "\n\\| shallow-adam \\| shallow-h128 \\| 101,770 \\| Adam 0.001, 15 epochs, [^|]* \\| 1 \\|")
  message(FATAL_ERROR "the report lacks a run")
endif()
file(REMOVE_RECURSE "${WORK}")
