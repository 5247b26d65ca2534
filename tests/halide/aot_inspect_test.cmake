# Runs `PROGRAM --inspect kiln_test_pointwise` and checks that it wrote the
# kernel's loop nest (a vectorized store into out0) and its assembly, and
# nothing else.
#   cmake -DPROGRAM=prog -DOUT_DIR=dir -P aot_inspect_test.cmake
file(REMOVE_RECURSE ${OUT_DIR})
execute_process(
  COMMAND ${PROGRAM} --out-dir ${OUT_DIR} --inspect kiln_test_pointwise
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "--inspect failed (exit ${rc}):\n${out}${err}")
endif()
file(READ ${OUT_DIR}/kiln_test_pointwise.stmt stmt)
if(NOT stmt MATCHES "out0\\[ramp\\(")
  message(FATAL_ERROR "no vector store into out0 in the loop nest:\n${stmt}")
endif()
file(READ ${OUT_DIR}/kiln_test_pointwise.s asm)
if(NOT asm MATCHES "kiln_test_pointwise:")
  message(FATAL_ERROR "the assembly does not define kiln_test_pointwise")
endif()
file(GLOB written RELATIVE ${OUT_DIR} ${OUT_DIR}/* ${OUT_DIR}/.*)
list(SORT written)
if(NOT written STREQUAL "kiln_test_pointwise.s;kiln_test_pointwise.stmt")
  message(FATAL_ERROR "unexpected files in ${OUT_DIR}: ${written}")
endif()
message(STATUS "ok: ${out}")
