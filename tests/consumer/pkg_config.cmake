# The pkg-config route: a plain compiler command line with `pkg-config --cflags --libs jiggle`.
#   -DPREFIX=<install prefix> -DCXX=<compiler> -DSOURCE=<program> -DOUTPUT=<binary>
set(ENV{PKG_CONFIG_PATH} "${PREFIX}/share/pkgconfig")
execute_process(COMMAND pkg-config --cflags --libs jiggle
  RESULT_VARIABLE status OUTPUT_VARIABLE flags OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_VARIABLE error)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "pkg-config --cflags --libs jiggle failed: ${error}")
endif()
message("pkg-config --cflags --libs jiggle: ${flags}")
separate_arguments(flags UNIX_COMMAND "${flags}")
execute_process(COMMAND ${CXX} ${SOURCE} ${flags} -o ${OUTPUT} RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "compiling with pkg-config's flags failed")
endif()
execute_process(COMMAND ${OUTPUT} RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "the program built with pkg-config's flags did not learn")
endif()
