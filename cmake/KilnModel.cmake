# kiln_add_model and kiln_add_mlir_model: in Kiln's own tree, and installed
# for projects that do find_package(Kiln) (KilnConfig.cmake). Every target
# they use is named Kiln::..., an alias in the tree, imported when
# installed.
include(${CMAKE_CURRENT_LIST_DIR}/KilnDsl.cmake)

# ARG_<key> of the caller, `default` when not given, else one of ARGN; a
# fatal error naming fn(name) otherwise.
function(_kiln_choice fn name key default)
  set(value "${ARG_${key}}")
  if(NOT value)
    set(value ${default})
  endif()
  list(JOIN ARGN "|" pattern)
  if(NOT value MATCHES "^(${pattern})$")
    list(JOIN ARGN ", " choices)
    message(FATAL_ERROR "${fn}(${name}): unknown ${key} '${value}' (${choices})")
  endif()
  set(ARG_${key} ${value} PARENT_SCOPE)
endfunction()

# SCHEDULE, MODEL, CONV_ALGORITHM, HALIDE_TARGET, GPU and DATA_PARALLEL of
# kiln_add_model / kiln_add_mlir_model, checked, into the caller's
# ARG_SCHEDULE (default heuristic), ARG_MODEL (default NAME),
# ARG_CONV_ALGORITHM (default auto), ARG_HALIDE_TARGET (default
# KILN_HALIDE_TARGET), ARG_GPU (default KILN_GPU) and ARG_DATA_PARALLEL
# (TRUE or FALSE).
macro(_kiln_model_options fn name)
  cmake_parse_arguments(ARG "DATA_PARALLEL"
                        "SCHEDULE;MODEL;CONV_ALGORITHM;HALIDE_TARGET" "GPU"
                        ${ARGN})
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "${fn}(${name}): unknown arguments ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ARG_HALIDE_TARGET)
    set(ARG_HALIDE_TARGET ${KILN_HALIDE_TARGET})
  endif()
  _kiln_choice(${fn} ${name} SCHEDULE heuristic
               heuristic adams2019 mullapudi2016 li2018)
  _kiln_choice(${fn} ${name} CONV_ALGORITHM auto auto direct winograd)
  if(NOT DEFINED ARG_GPU)
    set(ARG_GPU ${KILN_GPU})
  endif()
  list(REMOVE_ITEM ARG_GPU none)
  list(REMOVE_DUPLICATES ARG_GPU)
  foreach(api ${ARG_GPU})
    if(NOT api MATCHES "^(cuda|opencl)$")
      message(FATAL_ERROR "${fn}(${name}): unknown GPU '${api}' (none, cuda, opencl)")
    endif()
  endforeach()
  if(ARG_GPU AND NOT ARG_SCHEDULE STREQUAL "heuristic")
    message(FATAL_ERROR "${fn}(${name}): GPU kernels have heuristic schedules "
      "only (SCHEDULE ${ARG_SCHEDULE})")
  endif()
  if(ARG_GPU AND ARG_CONV_ALGORITHM STREQUAL "winograd")
    message(FATAL_ERROR "${fn}(${name}): GPU kernels have no Winograd "
      "convolutions (CONV_ALGORITHM winograd)")
  endif()
  if(NOT ARG_MODEL)
    set(ARG_MODEL ${name})
  endif()
endmacro()

# kiln_add_model(NAME SOURCE [SCHEDULE heuristic|adams2019|mullapudi2016|li2018]
#                [MODEL source_name] [CONV_ALGORITHM auto|direct|winograd]
#                [HALIDE_TARGET host|portable|T1,T2,...]
#                [GPU none|cuda|opencl...]
#                [DATA_PARALLEL])
#
# Builds a model declared in the DSL into a static library `kiln_model_NAME`
# with a typed header NAME.h (class kiln::models::NAME::Model) and a
# manifest, all at build time:
#   SOURCE --(model generator)--> NAME.mlir --(kilnc)--> NAME.kernels.cpp,
#   NAME.plan.cpp, NAME.h, NAME.manifest.json --(Halide AOT)--> kernels .a
# MODEL is the name in the source's KILN_MODEL (defaults to NAME); giving a
# different NAME builds the same model again under that name, e.g. with
# another SCHEDULE. CONV_ALGORITHM direct keeps every convolution a direct
# sum (float32 rounding ~2e-7 of the largest output, against ~5e-6 for the
# Winograd kernels that auto picks for stride-2 4x4 layers and ~8e-6 for
# stride-1 3x3 ones, conv2d_winograd.h). HALIDE_TARGET
# (default KILN_HALIDE_TARGET) names the CPUs the kernels are compiled for:
# with several targets every kernel is built once per target and picks the
# first the CPU can run when first called (`portable`: AVX-512, AVX2 + FMA,
# plain x86-64; docs/performance.md). GPU cuda and/or opencl (default
# KILN_GPU) also builds every kernel with a GPU schedule for Halide's CUDA
# or OpenCL target, which `kiln --device cuda|opencl` runs (docs/runtime.md,
# "Devices"). DATA_PARALLEL
# also builds every train entry point split at its gradients (kilnc
# --data-parallel), which `kiln train --data-parallel` runs under MPI.
function(kiln_add_model name src)
  _kiln_model_options(kiln_add_model ${name} ${ARGN})
  get_filename_component(src ${src} ABSOLUTE BASE_DIR ${PROJECT_SOURCE_DIR})
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${name})
  file(MAKE_DIRECTORY ${out})

  # 1. The model generator: the model source linked with the DSL.
  kiln_add_model_generator(${name} ${src})
  add_custom_command(
    OUTPUT ${out}/${name}.mlir
    COMMAND ${name}_model_gen -o ${out}/${name}.mlir
    DEPENDS ${name}_model_gen
    COMMENT "Tracing model ${name} (${src})"
    VERBATIM)

  _kiln_compile_model(${name} ${out}/${name}.mlir ${ARG_SCHEDULE} ${ARG_MODEL}
                      ${ARG_CONV_ALGORITHM} ${ARG_HALIDE_TARGET}
                      "${ARG_GPU}" ${ARG_DATA_PARALLEL})
endfunction()

# kiln_add_mlir_model(NAME FILE.mlir [SCHEDULE s] [MODEL m] [CONV_ALGORITHM a]
#                     [HALIDE_TARGET t] [DATA_PARALLEL])
#
# The same as kiln_add_model for a model written directly in the `kiln`
# dialect (docs/ir.md) instead of the DSL: no model generator step; FILE is
# given to kilnc as it is. MODEL (the module's kiln.model) defaults to NAME.
# Tests use it for ops the DSL does not write yet.
function(kiln_add_mlir_model name file)
  _kiln_model_options(kiln_add_mlir_model ${name} ${ARGN})
  get_filename_component(file ${file} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
  if(NOT EXISTS ${file})
    message(FATAL_ERROR "kiln_add_mlir_model(${name}): ${file} not found")
  endif()
  file(MAKE_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/${name})
  _kiln_compile_model(${name} ${file} ${ARG_SCHEDULE} ${ARG_MODEL}
                      ${ARG_CONV_ALGORITHM} ${ARG_HALIDE_TARGET}
                      "${ARG_GPU}" ${ARG_DATA_PARALLEL})
endfunction()

# Steps 2-4 of kiln_add_model from a model's .mlir: kilnc, the Halide
# kernels, the plan library kiln_model_NAME.
function(_kiln_compile_model name mlir schedule model conv_algorithm
                             halide_target gpu data_parallel)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${name})
  set(kilnc_options)
  if(data_parallel)
    list(APPEND kilnc_options --data-parallel)
  endif()
  # 2. kilnc: passes, then generated sources.
  set(generated ${out}/${name}.kernels.cpp ${out}/${name}.plan.cpp
      ${out}/${name}.h ${out}/${name}.manifest.json ${out}/${name}.opt.mlir)
  add_custom_command(
    OUTPUT ${generated}
    COMMAND Kiln::kilnc ${mlir} --emit=all --output-dir ${out}
            --schedule=${schedule} --expect-model=${model}
            --model-name=${name} --conv-algorithm=${conv_algorithm}
            ${kilnc_options}
    DEPENDS Kiln::kilnc ${mlir}
    COMMENT "Compiling model ${name} with kilnc (schedule ${schedule})"
    VERBATIM)

  # 3. Halide: every kernel AOT-compiled into one static library.
  kiln_halide_kernels(${name} ${out}/${name}.kernels.cpp ${schedule}
                      kiln_model_${name}_kernels TARGET ${halide_target})

  # 4. The plan, linked with the kernels and the runtime.
  add_library(kiln_model_${name} STATIC ${out}/${name}.plan.cpp ${out}/${name}.h)
  target_include_directories(kiln_model_${name} PUBLIC ${out})
  target_link_libraries(kiln_model_${name} PUBLIC kiln_model_${name}_kernels
                        Kiln::runtime)
  # 3b. The same kernels with GPU schedules, named KERNEL_cuda or
  # KERNEL_opencl, from the same generator program; the plan calls them on
  # a session on that device.
  foreach(api ${gpu})
    string(TOUPPER ${api} API)
    kiln_halide_kernels(${name}_${api} ${out}/${name}.kernels.cpp ${schedule}
                        kiln_model_${name}_${api}_kernels
                        FUNCTION_SUFFIX _${api} TARGET ${KILN_${API}_TARGET}
                        GENERATOR kiln_model_${name}_kernels_generator)
    target_link_libraries(kiln_model_${name} PUBLIC
                          kiln_model_${name}_${api}_kernels)
    target_compile_definitions(kiln_model_${name} PRIVATE KILN_${API}_KERNELS)
  endforeach()
  set_target_properties(kiln_model_${name} PROPERTIES
    KILN_MANIFEST ${out}/${name}.manifest.json
    KILN_MLIR ${mlir})
  set_property(GLOBAL APPEND PROPERTY KILN_MODELS ${name})
endfunction()
