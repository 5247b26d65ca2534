# Fails when COMMITTED differs from GENERATED, naming the command that
# brings it up to date.
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${GENERATED}
                        ${COMMITTED} RESULT_VARIABLE differs)
if(differs)
  message(FATAL_ERROR "${COMMITTED} is not the reference generated from the "
    "ODS (${GENERATED}): run `cmake --build build --target kiln-op-docs` "
    "and commit the result")
endif()
