# Runs a model generator twice (two processes) and requires identical bytes.
#   cmake -DGEN=<generator> -DOUT=<path prefix> -P check_deterministic.cmake
cmake_minimum_required(VERSION 3.20)

foreach(i 1 2)
  execute_process(COMMAND ${GEN} -o ${OUT}.${i}.mlir RESULT_VARIABLE rc
    ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "generator failed (${rc}): ${err}")
  endif()
endforeach()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files
  ${OUT}.1.mlir ${OUT}.2.mlir RESULT_VARIABLE differ)
if(NOT differ EQUAL 0)
  message(FATAL_ERROR "two runs wrote different files: ${OUT}.1.mlir "
                      "${OUT}.2.mlir")
endif()
