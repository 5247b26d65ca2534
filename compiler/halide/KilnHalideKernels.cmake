# kiln_halide_kernels(NAME KERNELS_CPP SCHEDULE OUT_LIB_TARGET
#                     [FUNCTION_SUFFIX suffix] [TARGET halide-targets]
#                     [GENERATOR program-target])
#
# Turns a generated NAME.kernels.cpp (one Halide Generator per kernel) into
# the IMPORTED static library target OUT_LIB_TARGET:
#   1. compiles KERNELS_CPP with kiln_halide_kernel_support and
#      kiln_halide_aot_main into the build-time program
#      OUT_LIB_TARGET_generator (Halide.h comes from a shared precompiled
#      header);
#   2. runs it: --out-dir <bin>/OUT_LIB_TARGET --name NAME --schedule SCHEDULE
#      producing libkiln_NAME_kernels.a and kiln_NAME_kernels.h there;
#   3. OUT_LIB_TARGET links that archive and kiln_halide_runtime and puts the
#      header directory on the include path of whatever links it.
# SCHEDULE: heuristic | adams2019 | mullapudi2016 | li2018.
# TARGET (default KILN_HALIDE_TARGET): host, portable or a comma-separated
# list of Halide targets, most specific first; with several, every kernel
# is compiled once per target behind a dispatcher (aot/variants.h).
# FUNCTION_SUFFIX is appended to every kernel symbol, so that variants of
# the same kernels (other schedules) can be linked into one program.
# GENERATOR: an existing step-1 program of the same KERNELS_CPP to run
# instead of compiling another (a model's GPU kernels reuse its CPU one).
# Editing KERNELS_CPP or kernel_support rebuilds the program and reruns it.
# A KERNELS_CPP produced by a custom command must come from this directory
# (CMake's rule for generated sources).

# Flags of the generator programs. -O0: a generator only builds Halide IR
# (libHalide does the heavy work), and clang spends most of a kernels.cpp
# compile optimizing Halide.h's inline functions otherwise.
if(NOT TARGET kiln_halide_generator_build)
  add_library(kiln_halide_generator_build INTERFACE)
  target_compile_options(kiln_halide_generator_build INTERFACE -O0 -g0)
  target_link_libraries(kiln_halide_generator_build INTERFACE
    Kiln::halide_kernel_support)

  # One precompiled Halide.h shared by every generator program
  # (REUSE_FROM needs identical flags, hence the same interface target).
  set(_kiln_pch_src ${CMAKE_CURRENT_BINARY_DIR}/kiln_halide_pch.cpp)
  file(CONFIGURE OUTPUT ${_kiln_pch_src} CONTENT "// precompiled Halide.h\n")
  add_library(kiln_halide_pch OBJECT ${_kiln_pch_src})
  target_link_libraries(kiln_halide_pch PRIVATE kiln_halide_generator_build)
  target_precompile_headers(kiln_halide_pch PRIVATE <Halide.h>)
endif()

option(KILN_HALIDE_PCH "Precompile Halide.h for kernel generator programs" ON)

function(kiln_halide_kernels NAME KERNELS_CPP SCHEDULE OUT_LIB_TARGET)
  cmake_parse_arguments(PARSE_ARGV 4 ARG "" "FUNCTION_SUFFIX;TARGET;GENERATOR" "")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "kiln_halide_kernels: unknown arguments ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT SCHEDULE MATCHES "^(heuristic|adams2019|mullapudi2016|li2018)$")
    message(FATAL_ERROR "kiln_halide_kernels(${NAME}): unknown schedule '${SCHEDULE}' "
      "(heuristic, adams2019, mullapudi2016, li2018)")
  endif()
  if(NOT ARG_TARGET)
    set(ARG_TARGET ${KILN_HALIDE_TARGET})
  endif()
  kiln_halide_targets(ARG_TARGET "${ARG_TARGET}")
  get_filename_component(kernels_cpp ${KERNELS_CPP} ABSOLUTE)

  if(ARG_GENERATOR)
    set(generator ${ARG_GENERATOR})
  else()
    set(generator ${OUT_LIB_TARGET}_generator)
    add_executable(${generator} ${kernels_cpp})
    target_link_libraries(${generator} PRIVATE
      Kiln::halide_aot_main kiln_halide_generator_build)
    if(KILN_HALIDE_PCH)
      target_precompile_headers(${generator} REUSE_FROM kiln_halide_pch)
    endif()
  endif()

  set(out_dir ${CMAKE_CURRENT_BINARY_DIR}/${OUT_LIB_TARGET})
  set(lib ${out_dir}/libkiln_${NAME}_kernels.a)
  set(header ${out_dir}/kiln_${NAME}_kernels.h)
  set(suffix_args)
  if(ARG_FUNCTION_SUFFIX)
    set(suffix_args --function-suffix ${ARG_FUNCTION_SUFFIX})
  endif()
  add_custom_command(
    OUTPUT ${lib} ${header}
    COMMAND ${generator} --out-dir ${out_dir} --name ${NAME}
            --schedule ${SCHEDULE} --target ${ARG_TARGET} ${suffix_args}
    DEPENDS ${generator}
    COMMENT "Compiling Halide kernels ${NAME} (${SCHEDULE})"
    VERBATIM)
  add_custom_target(${OUT_LIB_TARGET}_build DEPENDS ${lib} ${header})

  add_library(${OUT_LIB_TARGET} STATIC IMPORTED GLOBAL)
  # The directory must exist at configure time for INTERFACE_INCLUDE_DIRECTORIES.
  file(MAKE_DIRECTORY ${out_dir})
  set_target_properties(${OUT_LIB_TARGET} PROPERTIES
    IMPORTED_LOCATION ${lib}
    INTERFACE_INCLUDE_DIRECTORIES ${out_dir})
  target_link_libraries(${OUT_LIB_TARGET} INTERFACE Kiln::halide_runtime)
  add_dependencies(${OUT_LIB_TARGET} ${OUT_LIB_TARGET}_build)
endfunction()
