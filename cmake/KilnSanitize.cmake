# Flags of the sanitizer build (KILN_SANITIZE=ON, tools/bootstrap.sh test).
#
# AddressSanitizer and UndefinedBehaviorSanitizer on every target, with no
# recovery: the first report fails the test that caused it. libFuzzer's
# coverage instrumentation (fuzzer-no-link) is compiled into the libraries
# too, so that the fuzzers of tests/fuzz see the code they drive; only
# their own executables link libFuzzer's main.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "KILN_SANITIZE needs clang (libFuzzer); configure with "
                      "-DCMAKE_CXX_COMPILER=clang++-19")
endif()
set(KILN_SANITIZER_FLAGS
  -fsanitize=address,undefined -fno-sanitize-recover=all
  -fno-omit-frame-pointer -gline-tables-only)
add_compile_options(${KILN_SANITIZER_FLAGS} -fsanitize=fuzzer-no-link)
add_link_options(${KILN_SANITIZER_FLAGS})
