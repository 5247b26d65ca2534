# Runs a model generator that must fail at run time (a symbolic shape
# mismatch) and checks: non-zero exit, no output file, and a message with the
# model's "file:line:" (line marked "// ERROR-HERE") and every
# "// EXPECT: " literal of SOURCE.
#
#   cmake -DGEN=<generator> -DSOURCE=<model source> -DREL=<path of SOURCE
#         relative to the source root> -DOUT=<output path> -P ...
cmake_minimum_required(VERSION 3.20)

file(REMOVE ${OUT})
execute_process(COMMAND ${GEN} -o ${OUT}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc EQUAL 0)
  message(FATAL_ERROR "expected the generator to fail, it succeeded")
endif()
if(EXISTS ${OUT})
  message(FATAL_ERROR "a failed generator must not write ${OUT}")
endif()

file(READ ${SOURCE} text)
string(FIND "${text}" "// ERROR-HERE" marker)
string(SUBSTRING "${text}" 0 ${marker} before)
string(REGEX MATCHALL "\n" newlines "${before}")
list(LENGTH newlines n)
math(EXPR line "${n} + 1")

set(expected "${REL}:${line}:")
string(REGEX MATCHALL "// EXPECT: [^\n]*" expects "${text}")
foreach(e IN LISTS expects)
  string(REPLACE "// EXPECT: " "" literal "${e}")
  list(APPEND expected "${literal}")
endforeach()
foreach(literal IN LISTS expected)
  string(FIND "${out}" "${literal}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "generator output lacks '${literal}':\n${out}")
  endif()
endforeach()
message(STATUS "failed as expected (exit ${rc}): ${out}")
