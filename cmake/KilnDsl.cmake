# The model generator step of kiln_add_model (KilnModel.cmake): in Kiln's
# own tree and, installed, in a project that does find_package(Kiln).
# kiln_add_model_generator(name src): executable ${name}_model_gen built from
# one model source. Run it as `${name}_model_gen -o name.mlir`.
#
# -fmacro-prefix-map makes std::source_location report paths relative to the
# project's source root (models/mlp.cpp), so locations in the MLIR and in
# error messages are short and the output does not depend on the checkout
# path.
function(kiln_add_model_generator name src)
  add_executable(${name}_model_gen ${src})
  target_link_libraries(${name}_model_gen PRIVATE Kiln::dsl_main Kiln::dsl)
  target_compile_options(${name}_model_gen PRIVATE
    -fmacro-prefix-map=${PROJECT_SOURCE_DIR}/=)
endfunction()
