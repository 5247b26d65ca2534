# Compiles one model source with -fsyntax-only and checks the outcome.
#
#   cmake -DCXX=<compiler> -DFLAGS=<flags, ';'-separated> -DSOURCE=<file>
#         [-DEXPECT_SUCCESS=ON] -P check_compile.cmake
#
# By default the compile must FAIL, and its output must contain
#  - every literal string after "// EXPECT: " in SOURCE, and
#  - "<file name>:<line>:" for the line marked "// ERROR-HERE" (so that the
#    diagnostic points at the user's line, not into the DSL headers).
# ctest's PASS_REGULAR_EXPRESSION would ignore the exit status; this checks
# both.
cmake_minimum_required(VERSION 3.20)

execute_process(
  COMMAND ${CXX} ${FLAGS} -fsyntax-only ${SOURCE}
  RESULT_VARIABLE rc
  OUTPUT_VARIABLE out
  ERROR_VARIABLE out)

if(EXPECT_SUCCESS)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "expected ${SOURCE} to compile, it failed:\n${out}")
  endif()
  return()
endif()

if(rc EQUAL 0)
  message(FATAL_ERROR "expected ${SOURCE} to fail to compile, it compiled")
endif()

file(READ ${SOURCE} text)
set(failed "")

# Expected literal strings.
string(REGEX MATCHALL "// EXPECT: [^\n]*" expects "${text}")
foreach(line IN LISTS expects)
  string(REPLACE "// EXPECT: " "" literal "${line}")
  string(FIND "${out}" "${literal}" at)
  if(at EQUAL -1)
    string(APPEND failed "  missing: ${literal}\n")
  endif()
endforeach()

# The marked line.
string(FIND "${text}" "// ERROR-HERE" marker)
if(NOT marker EQUAL -1)
  string(SUBSTRING "${text}" 0 ${marker} before)
  string(REGEX MATCHALL "\n" newlines "${before}")
  list(LENGTH newlines n)
  math(EXPR line "${n} + 1")
  get_filename_component(name ${SOURCE} NAME)
  string(FIND "${out}" "${name}:${line}:" at)
  if(at EQUAL -1)
    string(APPEND failed "  missing: ${name}:${line}: (the marked line)\n")
  endif()
endif()

if(failed)
  message(FATAL_ERROR "compiler output of ${SOURCE} lacks:\n${failed}"
                      "output:\n${out}")
endif()
message(STATUS "failed to compile as expected")
