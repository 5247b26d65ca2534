// Build-time generator of a tiny real Halide kernel, so the runtime is tested
// against actual AOT code, not only against our reading of halide_buffer_t.
// Usage: kiln_test_kernel_gen OUTPUT_DIR  ->  kiln_test_kernel.{a,h}
#include <Halide.h>

#include <string>

int main(int argc, char **argv) {
  if (argc != 2)
    return 2;
  using namespace Halide;
  // Tensor [M, K] is Halide (k, m). The output encodes the column index, so
  // a view with its dimensions in the wrong order gives wrong values.
  ImageParam in(Float(32), 2, "in");
  Var k("k"), m("m");
  Func out("out");
  out(k, m) = in(k, m) * 2.0f + cast<float>(k) * 100.0f;
  out.parallel(m); // goes through the thread pool
  out.compile_to_static_library(std::string(argv[1]) + "/kiln_test_kernel",
                                {in}, "kiln_test_kernel", get_host_target());
  return 0;
}
