# Runs a model generator and checks what it wrote: the number of parameters
# (the product of each kiln.parameter's static shape, summed), the parameter
# names in order, and literal strings that must appear.
#
#   cmake -DGEN=<generator> -DOUT=<file> -DPARAMS=<count>
#         [-DNAMES=<name,name,...>] [-DEXPECT=<literal,literal,...>]
#         -P check_model.cmake
# (comma-separated: a ';' would split the test's command line).
cmake_minimum_required(VERSION 3.20)
string(REPLACE "," ";" NAMES "${NAMES}")
string(REPLACE "," ";" EXPECT "${EXPECT}")

execute_process(COMMAND ${GEN} -o ${OUT} RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "generator failed (${rc}): ${err}")
endif()

file(STRINGS ${OUT} params REGEX "^  \"kiln\\.parameter\"")
set(total 0)
set(names "")
foreach(line IN LISTS params)
  if(NOT line MATCHES "sym_name = \"([^\"]*)\", type = tensor<([0-9x]*)f32>")
    message(FATAL_ERROR "cannot read the parameter line: ${line}")
  endif()
  list(APPEND names "${CMAKE_MATCH_1}")
  set(dims "${CMAKE_MATCH_2}")
  set(count 1)
  string(REPLACE "x" ";" dims "${dims}")
  foreach(d IN LISTS dims)
    if(NOT d STREQUAL "")
      math(EXPR count "${count} * ${d}")
    endif()
  endforeach()
  math(EXPR total "${total} + ${count}")
endforeach()

if(NOT total EQUAL PARAMS)
  message(FATAL_ERROR "${OUT}: ${total} parameters, expected ${PARAMS}")
endif()
if(NOT "${NAMES}" STREQUAL "" AND NOT "${names}" STREQUAL "${NAMES}")
  message(FATAL_ERROR "${OUT}: parameters '${names}', expected '${NAMES}'")
endif()

file(READ ${OUT} text)
foreach(literal IN LISTS EXPECT)
  string(FIND "${text}" "${literal}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${OUT} lacks '${literal}'")
  endif()
endforeach()
message(STATUS "${OUT}: ${total} parameters")
