# run(EXPECTED_EXIT COMMAND...): runs the command in ${WORK}, prints what it printed, fails the
# test unless it exits with EXPECTED_EXIT, and leaves its output in `out` and `err`.
function(run expected_exit)
  execute_process(COMMAND ${ARGN} WORKING_DIRECTORY "${WORK}" RESULT_VARIABLE code OUTPUT_VARIABLE out
                  ERROR_VARIABLE err)
  message("$ ${ARGN}\nexit code: ${code}\nstdout:\n${out}\nstderr:\n${err}")
  if(NOT code STREQUAL expected_exit)
    message(FATAL_ERROR "expected exit code ${expected_exit}, got ${code}")
  endif()
  set(out "${out}" PARENT_SCOPE)
  set(err "${err}" PARENT_SCOPE)
endfunction()
