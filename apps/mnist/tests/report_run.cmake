# mnist --report over a small results folder of hand-written logs: the Markdown table must hold
# each row's figures exactly (seeds averaged, the reference compared, the median epoch time), and
# a plot per family must be written; a malformed log must be refused, naming its file and line.
#   -DPROGRAM=... -DSOURCE=apps/mnist/tests/results -DWORK=dir
file(REMOVE_RECURSE "${WORK}")
file(COPY "${SOURCE}/" DESTINATION "${WORK}/results")

include("${CMAKE_CURRENT_LIST_DIR}/run_program.cmake")

function(expect_text haystack needle what)
  string(FIND "${haystack}" "${needle}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${what} lacks the line:\n${needle}")
  endif()
endfunction()

run(0 "${PROGRAM}" --report "${WORK}/results")
file(READ "${WORK}/results/report.md" report)
if(NOT report STREQUAL out)
  message(FATAL_ERROR "report.md differs from what was printed")
endif()
set(as_the_reference_ran "init he-three-uniforms, x/255, partial batch dropped")
set(expected
  "| shallow-sgd | shallow-h128 | 101,770 | SGD 0.1, momentum 0.9, 15 epochs, ${as_the_reference_ran} | 1 | 98.10 % | 97.01 % | 97.00 % | -1.09 | 1.50 |"
  # A log written before the 9,984-image column, of a row of jiggle's own.
  "| mlp-modern | mlp | 669,706 | AdamW 0.001, decay 0.01, 1 warmup epoch(s), cosine, shifts of 2 px, label smoothing 0.1, 12 epochs | 1 | – | – | 98.00 % | – | 2.00 |"
  "| cnn-nobn-sgd | cnn-nobn | 3,489,130 | SGD 0.1, momentum 0.9, 12 epochs, ${as_the_reference_ran} | 3 | 98.98 % | 99.32 % | 99.31 % | +0.34 | 31.00 |"
  "| cnn-nobn-sgd | 0 | 0.1 (0.1966) | 49.1 % | 0.03 (0.02537) | 18.2 % (epoch 3) | – | 1 | 1, 2, 3 |"
  # At epoch 2 the reference's loss lies between the two seeds': the spread explains that gap.
  "| linear-sgd | 0 | 0.5 (0.381) | 31.2 % | 0.4 (0.3005) | 33.1 % (epoch 2) | – | 2 | 1 |"
  "| shallow-sgd | 0 | 0.2 ("
  "![linear/shallow](linear-shallow.svg)"
  "![CNN](cnn.svg)")
foreach(line IN LISTS expected)
  expect_text("${report}" "${line}" "report.md")
endforeach()
# The lines with a semicolon, which would split in a list. linear-sgd, the only logged row with two
# seeds, has the reference below both, where 2/3 of a row is expected.
expect_text("${report}" "| linear-sgd | linear | 7,850 | SGD 0.1, momentum 0.9, 12 epochs, ${as_the_reference_ran} | 2 | 91.90 % | 92.50 % ± 0.71 (92.00–93.00, 2 seeds) | 92.50 % ± 0.71 (92.00–93.00, 2 seeds) | +0.60; the reference below every seed | 3.50 |" "report.md")
expect_text("${report}" "\nRows with a reference figure that ran with several seeds: 1; with the figure outside their seeds' range: 1 (below every seed: linear-sgd). Were the reference's run one more draw of each row, 0.7 would lie outside (2/(n + 1) for a row of n seeds).\n" "report.md")
string(FIND "${report}" "| linear-sgd" linear_at)
string(FIND "${report}" "| shallow-sgd" shallow_at)
string(FIND "${report}" "| cnn-nobn-sgd" cnn_at)
if(NOT (linear_at LESS shallow_at AND shallow_at LESS cnn_at))
  message(FATAL_ERROR "the rows are not in the table's order")
endif()
foreach(plot linear-shallow cnn)
  file(READ "${WORK}/results/${plot}.svg" svg)
  string(REGEX MATCHALL "<polyline" lines "${svg}")
  list(LENGTH lines count)
  if(NOT svg MATCHES "^<svg xmlns='http://www.w3.org/2000/svg'.*</svg>\n$" OR count LESS 2)
    message(FATAL_ERROR "${plot}.svg is not a figure of two charts with a line each")
  endif()
endforeach()
expect_text("${svg}" "cnn-nobn-sgd (seed 0)" "cnn.svg's legend")
expect_text("${svg}" "cnn-nobn-sgd (the reference's log)" "cnn.svg's legend")
expect_text("${svg}" "stroke-dasharray" "cnn.svg's reference curve")

# A reference row's log from before the reference's semantics is refused, not reported as the row's.
file(WRITE "${WORK}/results/mlp-sgd.seed0.csv" "epoch,train_loss,test_accuracy,seconds\n1,0.2,0.98,1\n")
run(1 "${PROGRAM}" --report "${WORK}/results")
if(NOT err MATCHES "mlp-sgd.seed0.csv: was written before mlp-sgd trained as the reference did.*rename its files to mlp-sgd-plain")
  message(FATAL_ERROR "a reference row's log from before its semantics is not refused")
endif()
file(REMOVE "${WORK}/results/mlp-sgd.seed0.csv")

file(APPEND "${WORK}/results/shallow-sgd.seed0.csv" "2,0.1,1.5,2,0.9\n")
run(1 "${PROGRAM}" --report "${WORK}/results")
if(NOT err MATCHES "shallow-sgd.seed0.csv: line 3 holds an accuracy outside")
  message(FATAL_ERROR "the malformed log is not named with its line")
endif()
file(REMOVE_RECURSE "${WORK}")
