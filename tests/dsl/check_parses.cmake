# Runs a model generator and checks its output with kiln-opt: the text
# parses, and the kiln dialect's verifiers and symbol checks accept it.
#   cmake -DGEN=<generator> -DMLIR_OPT=<kiln-opt> -DOUT=<file> -P ...
cmake_minimum_required(VERSION 3.20)

execute_process(COMMAND ${GEN} -o ${OUT} RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "generator failed (${rc}): ${err}")
endif()
execute_process(COMMAND ${MLIR_OPT} -kiln-shape-check ${OUT}
  RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "kiln-opt rejects ${OUT}:\n${err}")
endif()
