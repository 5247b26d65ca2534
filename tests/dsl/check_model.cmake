# Runs a model generator and checks what it wrote: the number of trained
# parameters (the product of each kiln.parameter's static shape, summed,
# without role = #kiln<role state>), their names in order, the same for the state
# parameters (BatchNorm running statistics), and literal strings that must
# appear.
#
#   cmake -DGEN=<generator> -DOUT=<file> -DPARAMS=<count>
#         [-DNAMES=<name,name,...>] [-DSTATE=<count>]
#         [-DSTATE_NAMES=<name,...>] [-DEXPECT=<literal,literal,...>]
#         -P check_model.cmake
# (comma-separated: a ';' would split the test's command line). Without
# STATE, the model must have no state parameters.
cmake_minimum_required(VERSION 3.20)
string(REPLACE "," ";" NAMES "${NAMES}")
string(REPLACE "," ";" STATE_NAMES "${STATE_NAMES}")
string(REPLACE "," ";" EXPECT "${EXPECT}")
if("${STATE}" STREQUAL "")
  set(STATE 0)
endif()

execute_process(COMMAND ${GEN} -o ${OUT} RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "generator failed (${rc}): ${err}")
endif()

file(STRINGS ${OUT} params REGEX "^  \"kiln\\.parameter\"")
set(total 0)
set(names "")
set(state_total 0)
set(state_names "")
foreach(line IN LISTS params)
  if(NOT line MATCHES "sym_name = \"([^\"]*)\", type = tensor<([0-9x]*)f32>")
    message(FATAL_ERROR "cannot read the parameter line: ${line}")
  endif()
  set(name "${CMAKE_MATCH_1}")
  set(dims "${CMAKE_MATCH_2}")
  set(count 1)
  string(REPLACE "x" ";" dims "${dims}")
  foreach(d IN LISTS dims)
    if(NOT d STREQUAL "")
      math(EXPR count "${count} * ${d}")
    endif()
  endforeach()
  if(line MATCHES "role = #kiln<role state>")
    list(APPEND state_names "${name}")
    math(EXPR state_total "${state_total} + ${count}")
  else()
    list(APPEND names "${name}")
    math(EXPR total "${total} + ${count}")
  endif()
endforeach()

if(NOT total EQUAL PARAMS)
  message(FATAL_ERROR "${OUT}: ${total} parameters, expected ${PARAMS}")
endif()
if(NOT "${NAMES}" STREQUAL "" AND NOT "${names}" STREQUAL "${NAMES}")
  message(FATAL_ERROR "${OUT}: parameters '${names}', expected '${NAMES}'")
endif()
if(NOT state_total EQUAL STATE)
  message(FATAL_ERROR "${OUT}: ${state_total} state values, expected ${STATE}")
endif()
if(NOT "${STATE_NAMES}" STREQUAL "" AND
   NOT "${state_names}" STREQUAL "${STATE_NAMES}")
  message(FATAL_ERROR "${OUT}: state '${state_names}', expected '${STATE_NAMES}'")
endif()

file(READ ${OUT} text)
foreach(literal IN LISTS EXPECT)
  string(FIND "${text}" "${literal}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${OUT} lacks '${literal}'")
  endif()
endforeach()
message(STATUS "${OUT}: ${total} parameters, ${state_total} state values")
