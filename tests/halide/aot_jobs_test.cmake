# Builds the kernels of PROGRAM with --jobs 1 and --jobs 3 and requires the
# same library and header, byte for byte.
#   cmake -DPROGRAM=prog -DOUT_DIR=dir -P aot_jobs_test.cmake
file(REMOVE_RECURSE ${OUT_DIR})
foreach(jobs 1 3)
  execute_process(COMMAND ${PROGRAM} --out-dir ${OUT_DIR}/j${jobs} --name jobs
                          --jobs ${jobs}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "--jobs ${jobs} failed (exit ${rc}):\n${out}${err}")
  endif()
endforeach()
foreach(file libkiln_jobs_kernels.a kiln_jobs_kernels.h)
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files
                          ${OUT_DIR}/j1/${file} ${OUT_DIR}/j3/${file}
    RESULT_VARIABLE differs)
  if(differs)
    message(FATAL_ERROR "${file} differs between --jobs 1 and --jobs 3")
  endif()
endforeach()
