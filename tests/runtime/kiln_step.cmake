# kiln_step(NAME ARGS...) for the -P test scripts: runs ${KILN} ARGS and
# stops the script with NAME, the exit code and both outputs when it fails.
# When KILN_STEP_SKIP is set and kiln's stderr matches it, prints
# "skipped: ..." instead (for ctest's SKIP_REGULAR_EXPRESSION) and sets
# KILN_STEP_SKIPPED in the caller.
function(kiln_step name)
  execute_process(COMMAND ${KILN} ${ARGN}
                  RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT code EQUAL 0)
    if(KILN_STEP_SKIP AND err MATCHES "${KILN_STEP_SKIP}")
      message(STATUS "skipped: ${err}")
      set(KILN_STEP_SKIPPED TRUE PARENT_SCOPE)
      return()
    endif()
    message(FATAL_ERROR "${name}: kiln ${ARGN} exited with ${code}\n${out}\n${err}")
  endif()
  message(STATUS "${name}: ${out}")
endfunction()
