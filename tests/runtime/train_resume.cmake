# Exact resume, end to end, with a real `kiln` executable:
#   kiln train MODEL --steps STEPS                           -> straight/
#   kiln train MODEL --steps SPLIT, then --resume ... --steps STEPS -> resumed/
# and the two checkpoints must be equal byte for byte (same tensors, same
# metadata). Single-threaded by default: the claim is per thread count.
#
#   cmake -DKILN=path/to/kiln -DMODEL=vae -DDIR=scratch
#         [-DSTEPS=40] [-DSPLIT=20] [-DTHREADS=1] [-DBATCH=128] [-DDATA=dir]
#         -P train_resume.cmake
foreach(var KILN MODEL DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "train_resume.cmake: -D${var}=... is required")
  endif()
endforeach()
if(NOT DEFINED STEPS)
  set(STEPS 40)
endif()
if(NOT DEFINED SPLIT)
  set(SPLIT 20)
endif()
if(NOT DEFINED THREADS)
  set(THREADS 1)
endif()
if(NOT DEFINED BATCH)
  set(BATCH 128)
endif()
set(data_args)
if(DEFINED DATA)
  set(data_args --data ${DATA})
endif()

file(REMOVE_RECURSE ${DIR})
file(MAKE_DIRECTORY ${DIR})

include(${CMAKE_CURRENT_LIST_DIR}/kiln_step.cmake)

set(common ${MODEL} --threads ${THREADS} --batch ${BATCH} --seed 1 ${data_args})
kiln_step(straight train ${common} --steps ${STEPS} --out ${DIR}/straight)
kiln_step(first-half train ${common} --steps ${SPLIT} --out ${DIR}/resumed)
kiln_step(second-half train ${MODEL} --threads ${THREADS} ${data_args}
          --resume ${DIR}/resumed/checkpoint.safetensors --steps ${STEPS})

execute_process(
  COMMAND ${CMAKE_COMMAND} -E compare_files
          ${DIR}/straight/checkpoint.safetensors
          ${DIR}/resumed/checkpoint.safetensors
  RESULT_VARIABLE differ)
if(NOT differ EQUAL 0)
  message(FATAL_ERROR "checkpoints differ: ${STEPS} steps in one run and "
                      "${SPLIT} + resume are not bit-identical "
                      "(${DIR}/straight vs ${DIR}/resumed)")
endif()
message(STATUS "${MODEL}: ${STEPS} steps straight == ${SPLIT} + resume, "
               "byte for byte (threads ${THREADS})")
