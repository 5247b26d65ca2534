# Runs `PROGRAM --inspect KERNEL` and checks that the kernel's lowered loop
# nest has (or, with ABSENT set, lacks) a match of PATTERN: which schedule a
# kernel got, so that a test of its results cannot pass on another one.
# HL_TARGET lowers it for that Halide target instead of the host's (a
# choice made for one ISA is checked on any machine).
#   cmake -DPROGRAM=prog -DOUT_DIR=dir -DKERNEL=name -DPATTERN=regex
#         [-DABSENT=1] [-DHL_TARGET=target] -P schedule_choice_test.cmake
file(REMOVE_RECURSE ${OUT_DIR})
set(target_args)
if(HL_TARGET)
  set(target_args --target ${HL_TARGET})
endif()
execute_process(
  COMMAND ${PROGRAM} --out-dir ${OUT_DIR} --inspect ${KERNEL} ${target_args}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "--inspect failed (exit ${rc}):\n${out}${err}")
endif()
file(READ ${OUT_DIR}/${KERNEL}.stmt stmt)
if(ABSENT AND stmt MATCHES "${PATTERN}")
  message(FATAL_ERROR "${KERNEL}'s loop nest matches '${PATTERN}':\n${stmt}")
elseif(NOT ABSENT AND NOT stmt MATCHES "${PATTERN}")
  message(FATAL_ERROR "${KERNEL}'s loop nest lacks '${PATTERN}':\n${stmt}")
endif()
message(STATUS "ok: ${KERNEL}")
