# Stopping training the way schedulers and `timeout` do, through the real
# executable: `timeout -s SIGNAL` sends the signal to kiln and then to its
# process group, so it arrives twice at once; SIGTERM is what docker stop,
# systemd and slurm send. Each run must save its checkpoint, say so, and
# exit 130; the checkpoint must resume.
#
#   cmake -DKILN=path/to/kiln -DMODEL=fake_vae -DENTRY=loss -DDIR=scratch
#         [-DRUNS=2] [-DAFTER=2] -P timeout_interrupt.cmake
foreach(var KILN MODEL ENTRY DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "timeout_interrupt.cmake: -D${var}=... is required")
  endif()
endforeach()
if(NOT DEFINED RUNS)
  set(RUNS 2)
endif()
if(NOT DEFINED AFTER) # seconds: well after start-up, well before the end
  set(AFTER 2)
endif()
file(REMOVE_RECURSE ${DIR})
file(MAKE_DIRECTORY ${DIR})

foreach(i RANGE 1 ${RUNS})
  foreach(signal INT TERM)
    set(run ${DIR}/${signal}${i})
    execute_process(
      COMMAND timeout --preserve-status -s ${signal} ${AFTER}
              ${KILN} train ${MODEL} --steps 100000000 --batch 8
              --checkpoint-every 100000000 --threads 1 --out ${run}
      RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(NOT code EQUAL 130)
      message(FATAL_ERROR "SIG${signal} run ${i}: exit ${code}, not 130\n"
                          "${out}\n${err}")
    endif()
    if(NOT out MATCHES "interrupted \\(SIG${signal}\\): stopped after step")
      message(FATAL_ERROR "SIG${signal} run ${i}: no interruption report\n"
                          "${out}")
    endif()
    # The checkpoint loads (every tensor, checked).
    execute_process(
      COMMAND ${KILN} run ${MODEL} ${ENTRY} --batch 2 -c
              ${run}/checkpoint.safetensors
      RESULT_VARIABLE loads OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(NOT loads EQUAL 0)
      message(FATAL_ERROR "SIG${signal} run ${i}: the checkpoint does not "
                          "load\n${out}\n${err}")
    endif()
    file(GLOB left ${run}/.checkpoint.safetensors.tmp.*)
    if(NOT EXISTS ${run}/checkpoint.safetensors OR left)
      message(FATAL_ERROR "SIG${signal} run ${i}: checkpoint missing or "
                          "temporaries left: ${left}")
    endif()
  endforeach()
endforeach()
message(STATUS "${RUNS} runs each of SIGINT and SIGTERM: saved every time")
