# Data-parallel training under mpirun, with the real kiln and the VAE and
# GAN of models/ (built with DATA_PARALLEL). Oversubscribed: more processes
# than this machine's 2 cores is fine, one thread each.
#
#   cmake -DKILN=kiln -DMPIEXEC=mpirun -DPYTHON=python3 -DCOMPARE=compare_checkpoints.py
#         -DDIR=scratch -P data_parallel.cmake
#
# 1. VAE, global batch 64: 3 steps on 2 processes, resumed on 1 process (a
#    different number) to 6, must match 6 steps of one plain process up to
#    float summation order (measured 4e-5 of each tensor's largest value;
#    Adam's normalised step turns summation-order noise in tiny gradients
#    into steps of up to lr, hence the tolerance 1e-3).
# 2. GAN, 2 processes: without --sync-batchnorm (statistics per process,
#    so not the single-process run: docs/training.md) it trains with
#    finite losses. With it (BatchNorm's statistics over the global batch
#    of 64), the first d_step and the first g_step must compute one
#    process's gradients (Adam's exp_avg after one step, (1 - beta1) g)
#    and running statistics: measured 2.7e-6 and 1.7e-5 of each tensor's
#    largest value (2.4e-5 for the biases before BatchNorm, whose gradient
#    is zero but for rounding, measured against 1e-3 by --floor); 0.59 and
#    0.72 without synchronisation. Only the first step of each: after
#    one update, Adam's g / sqrt(g^2) turns gradients that are rounding
#    noise into steps of +-lr, and the runs part by more than float noise.
#    Tolerance 2e-3: with seeds 1 and 2 the runs part by 1.5e-3 and 1.7e-3
#    in one BatchNorm channel whose background pixels (equal everywhere in
#    Fashion-MNIST) normalise to within rounding of LeakyReLU's kink, so
#    that a summation-order difference flips the slope for all of them
#    (tests/e2e/sync_batch_norm_test.cpp checks the same at 1e-4 without
#    MPI).
#    --sync-batchnorm alone is refused.
# 3. 3 processes and a batch of 64: refused, with the reason.
# 4. A process killed with SIGKILL (kill_rank.sh) ends the whole job, with
#    mpirun saying which, within 60 s.
foreach(var KILN MPIEXEC PYTHON COMPARE DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "data_parallel.cmake: -D${var}=... is required")
  endif()
endforeach()
file(REMOVE_RECURSE ${DIR})
file(MAKE_DIRECTORY ${DIR})
set(mpi ${MPIEXEC} --allow-run-as-root --oversubscribe)

function(run name expect_ok)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE code OUTPUT_VARIABLE out
                  ERROR_VARIABLE err TIMEOUT 300)
  if(expect_ok AND NOT code EQUAL 0)
    message(FATAL_ERROR "${name}: ${ARGN} exited with ${code}\n${out}\n${err}")
  endif()
  if(NOT expect_ok AND code EQUAL 0)
    message(FATAL_ERROR "${name}: ${ARGN} succeeded; expected a failure\n${out}")
  endif()
  set(output "${out}${err}" PARENT_SCOPE)
  set(code ${code} PARENT_SCOPE)
endfunction()

set(common --batch 64 --seed 1 --threads 1)
run(single TRUE ${KILN} train vae ${common} --steps 6 --out ${DIR}/single)
run(dp2 TRUE ${mpi} -np 2 ${KILN} train vae --data-parallel ${common}
    --steps 3 --out ${DIR}/dp)
if(NOT output MATCHES "data-parallel: 2 processes x 32 rows")
  message(FATAL_ERROR "dp2: no data-parallel line in\n${output}")
endif()
run(dp1_resume TRUE ${mpi} -np 1 ${KILN} train vae --data-parallel
    --resume ${DIR}/dp/checkpoint.safetensors --steps 6 --threads 1)
run(compare TRUE ${PYTHON} ${COMPARE} ${DIR}/single/checkpoint.safetensors
    ${DIR}/dp/checkpoint.safetensors 1e-3)
message(STATUS "VAE, 2 processes then 1 vs one process: ${output}")

run(gan TRUE ${mpi} -np 2 ${KILN} train gan --data-parallel --batch 32
    --seed 1 --threads 1 --steps 4 --out ${DIR}/gan)
if(NOT output MATCHES "last step: +d_loss [0-9]" OR output MATCHES "nan|inf")
  message(FATAL_ERROR "gan: no finite last step in\n${output}")
endif()
set(gan_first --batch 64 --seed 3 --threads 1 --steps 1)
foreach(entry d_step g_step)
  run(${entry}_single TRUE ${KILN} train gan --entry ${entry} ${gan_first}
      --out ${DIR}/${entry}_single)
  run(${entry}_sync TRUE ${mpi} -np 2 ${KILN} train gan --entry ${entry}
      --data-parallel --sync-batchnorm ${gan_first} --out ${DIR}/${entry}_sync)
  if(NOT output MATCHES "BatchNorm statistics over the global batch")
    message(FATAL_ERROR "${entry}_sync: not synchronised?\n${output}")
  endif()
  run(${entry}_compare TRUE ${PYTHON} ${COMPARE}
      ${DIR}/${entry}_single/checkpoint.safetensors
      ${DIR}/${entry}_sync/checkpoint.safetensors 2e-3
      --match "exp_avg$|running_" --floor 1e-3)
  message(STATUS "GAN ${entry}, 2 processes with --sync-batchnorm vs one: "
                 "${output}")
endforeach()
run(sync_alone FALSE ${KILN} train gan --sync-batchnorm ${common} --steps 1
    --out ${DIR}/sync_alone)
if(NOT output MATCHES "--sync-batchnorm .* needs --data-parallel")
  message(FATAL_ERROR "sync_alone: not the expected refusal:\n${output}")
endif()

run(uneven FALSE ${mpi} -np 3 ${KILN} train vae --data-parallel ${common}
    --steps 2 --out ${DIR}/uneven)
if(NOT output MATCHES "the batch of 64 does not split evenly over 3 processes")
  message(FATAL_ERROR "uneven: not the expected refusal:\n${output}")
endif()

# Process 1 kills itself (SIGKILL) 2 s into a run of hours.
string(TIMESTAMP start %s)
run(killed FALSE ${mpi} -np 2 sh ${CMAKE_CURRENT_LIST_DIR}/kill_rank.sh 1 2
    ${KILN} train vae --data-parallel ${common} --steps 1000000
    --out ${DIR}/killed)
string(TIMESTAMP end %s)
math(EXPR took "${end} - ${start}")
if(took GREATER 60)
  message(FATAL_ERROR "killed: the job took ${took} s to end")
endif()
if(NOT output MATCHES "rank 1 .*exited on signal 9")
  message(FATAL_ERROR "killed: the job did not end for the killed process:\n"
                      "${output}")
endif()
message(STATUS "a killed process ended the job in ${took} s (exit ${code})")
