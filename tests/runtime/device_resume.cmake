# Checkpoints are the same files on every device, end to end with a real
# `kiln`: training that moves between the CPU and DEVICE at a checkpoint
# ends where training on the CPU alone does, within float tolerance (the
# GPU kernels sum in another order):
#   kiln train MODEL --steps STEPS                          -> cpu/
#   SPLIT steps on DEVICE, then --resume on the CPU to STEPS -> there/
#   SPLIT steps on the CPU, then --resume on DEVICE to STEPS -> back/
# Measured (VAE, PoCL): 6.1e-4 of a tensor's largest value when the first
# steps ran on the device (Adam's first updates are lr * g / (|g| + eps):
# gradients near eps that differ in the last bits move their weight by
# up to lr), 7.6e-6 when the last ones did; a CPU run one step short
# differs by 0.88 (an Adam second moment). The tolerance sits between.
# Prints "skipped: ..." (ctest's SKIP_REGULAR_EXPRESSION) when DEVICE is
# not usable here.
#
#   cmake -DKILN=path/to/kiln -DPYTHON=python3 -DCOMPARE=compare_checkpoints.py
#         -DMODEL=vae -DDEVICE=opencl -DDIR=scratch [-DSTEPS=6] [-DSPLIT=3]
#         [-DBATCH=32] [-DTOLERANCE=5e-3] -P device_resume.cmake
foreach(var KILN PYTHON COMPARE MODEL DEVICE DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "device_resume.cmake: -D${var}=... is required")
  endif()
endforeach()
foreach(pair "STEPS;6" "SPLIT;3" "BATCH;32" "TOLERANCE;5e-3")
  list(GET pair 0 var)
  if(NOT DEFINED ${var})
    list(GET pair 1 ${var})
  endif()
endforeach()

file(REMOVE_RECURSE ${DIR})
file(MAKE_DIRECTORY ${DIR})

include(${CMAKE_CURRENT_LIST_DIR}/kiln_step.cmake)
set(KILN_STEP_SKIP "--device ${DEVICE}: (cannot load|no usable)")

set(common ${MODEL} --threads 1 --batch ${BATCH} --seed 1)
kiln_step(first-half-on-${DEVICE} train ${common} --steps ${SPLIT}
          --device ${DEVICE} --out ${DIR}/there)
if(KILN_STEP_SKIPPED)
  return()
endif()
kiln_step(second-half-on-cpu train ${MODEL} --threads 1
          --resume ${DIR}/there/checkpoint.safetensors --steps ${STEPS})
kiln_step(first-half-on-cpu train ${common} --steps ${SPLIT} --out ${DIR}/back)
kiln_step(second-half-on-${DEVICE} train ${MODEL} --threads 1
          --device ${DEVICE} --resume ${DIR}/back/checkpoint.safetensors
          --steps ${STEPS})
kiln_step(cpu-only train ${common} --steps ${STEPS} --out ${DIR}/cpu)

foreach(run there back)
  execute_process(
    COMMAND ${PYTHON} ${COMPARE} ${DIR}/cpu/checkpoint.safetensors
            ${DIR}/${run}/checkpoint.safetensors ${TOLERANCE}
    RESULT_VARIABLE differ OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT differ EQUAL 0)
    message(FATAL_ERROR "${run}: the checkpoint of a run that changed device "
                        "differs from the CPU's: ${out}${err}")
  endif()
  message(STATUS "${run}: ${out}")
endforeach()
