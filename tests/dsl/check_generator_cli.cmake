# The generator's command line: --help succeeds, bad usage fails with exit
# status 2 and a message, -o - writes the module to standard output.
#   cmake -DGEN=<generator> -P check_generator_cli.cmake
cmake_minimum_required(VERSION 3.20)

function(expect args want_rc want_text)
  execute_process(COMMAND ${GEN} ${args} RESULT_VARIABLE rc
    OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL want_rc)
    message(FATAL_ERROR "'${args}': exit ${rc}, expected ${want_rc}:\n${out}")
  endif()
  string(FIND "${out}" "${want_text}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "'${args}': output lacks '${want_text}':\n${out}")
  endif()
endfunction()

expect("--help" 0 "Usage: ")
expect("--frobnicate" 2 "The following argument was not expected: --frobnicate")
expect("" 2 "no output file (-o FILE)")
expect("-o" 2 "--output: 1 required TEXT missing")
expect("--model;nope;-o;-" 2 "no model 'nope'")
expect("--list" 0 "mlp")
expect("-o;-" 0 "module attributes {kiln.model = \"mlp\"}")
