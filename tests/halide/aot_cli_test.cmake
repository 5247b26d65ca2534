# Runs a kiln-halide-aot program that must fail, and checks that it exits
# non-zero, that its message matches EXPECT, and that OUT_DIR holds no
# library, header or staging directory afterwards.
#   cmake -DCOMMAND="prog|arg|arg" -DEXPECT=regex -DOUT_DIR=dir -P aot_cli_test.cmake
string(REPLACE "|" ";" command "${COMMAND}")
file(REMOVE_RECURSE ${OUT_DIR})
execute_process(COMMAND ${command}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0)
  message(FATAL_ERROR "expected a failure, got exit 0\n${out}${err}")
endif()
if(NOT "${out}${err}" MATCHES "${EXPECT}")
  message(FATAL_ERROR "message does not match '${EXPECT}':\n${out}${err}")
endif()
file(GLOB left ${OUT_DIR}/* ${OUT_DIR}/.*)
if(left)
  message(FATAL_ERROR "outputs left behind: ${left}")
endif()
message(STATUS "ok (exit ${rc}): ${err}")
