# cmake --install BUILD into WORK/prefix; configure and build EXAMPLE
# against it in WORK/build; then:
#   fashion_train trains 100 steps and must reach a test accuracy far above
#     chance (0.1): >= 0.70;
#   my_kiln eval (the generated kiln driver, another code path) must
#     report the same accuracy for the checkpoint it wrote;
#   my_kiln train --resume must continue that checkpoint;
#   my_kiln trains the project's VAE and samples a PNG grid from it.
#
#   cmake -DBUILD=build -DEXAMPLE=examples/embedding -DWORK=scratch
#         -DCXX=clang++-19 -P package_test.cmake
foreach(var BUILD EXAMPLE WORK CXX)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "package_test.cmake: -D${var}=... is required")
  endif()
endforeach()

file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

function(step name)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE code
                  OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT code EQUAL 0)
    message(FATAL_ERROR "${name}: ${ARGN} exited with ${code}\n${out}\n${err}")
  endif()
  set(output "${out}" PARENT_SCOPE)
endfunction()

step(install ${CMAKE_COMMAND} --install ${BUILD} --prefix ${WORK}/prefix)
step(configure ${CMAKE_COMMAND} -S ${EXAMPLE} -B ${WORK}/build -G Ninja
     -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=${CXX}
     -DCMAKE_PREFIX_PATH=${WORK}/prefix)
step(build ${CMAKE_COMMAND} --build ${WORK}/build -j 2)

set(checkpoint ${WORK}/fashion.safetensors)
step(fashion_train ${WORK}/build/fashion_train ${checkpoint} 100)
message(STATUS "fashion_train:\n${output}")
if(NOT output MATCHES "test accuracy ([0-9.]+)")
  message(FATAL_ERROR "fashion_train printed no test accuracy")
endif()
set(trained ${CMAKE_MATCH_1})
if(trained LESS 0.70)
  message(FATAL_ERROR "test accuracy ${trained} after 100 steps; expected "
                      ">= 0.70 (chance is 0.10)")
endif()

step(my_kiln_eval ${WORK}/build/my_kiln eval fashion_mlp
     -c ${checkpoint})
message(STATUS "my_kiln eval:\n${output}")
if(NOT output MATCHES "accuracy +([0-9.]+)")
  message(FATAL_ERROR "my_kiln eval printed no accuracy")
endif()
# Both print 4 decimals of the same count of correct test images.
if(NOT CMAKE_MATCH_1 STREQUAL trained)
  message(FATAL_ERROR "my_kiln eval says accuracy ${CMAKE_MATCH_1}, "
                      "fashion_train said ${trained}")
endif()

step(my_kiln_resume ${WORK}/build/my_kiln train fashion_mlp
     --resume ${checkpoint} --steps 120)
message(STATUS "my_kiln train --resume:\n${output}")

step(my_kiln_train_vae ${WORK}/build/my_kiln train tiny_vae --steps 50
     --seed 1 --out ${WORK}/vae)
message(STATUS "my_kiln train tiny_vae:\n${output}")
step(my_kiln_sample_vae ${WORK}/build/my_kiln sample tiny_vae
     -c ${WORK}/vae/checkpoint.safetensors --n 16 --out ${WORK}/vae/samples.png)
file(READ ${WORK}/vae/samples.png magic LIMIT 8 HEX)
if(NOT magic STREQUAL "89504e470d0a1a0a")
  message(FATAL_ERROR "my_kiln sample wrote no PNG (${WORK}/vae/samples.png)")
endif()
