// A kernels.cpp whose second generator fails to build: kiln-halide-aot must
// report it by name, exit non-zero and leave no library or header behind
// (see aot_cli_test.cmake).
#include "kiln/halide/kernel_support.h"

namespace {

using namespace Halide;

class Good : public Generator<Good> {
public:
  Input<Buffer<float>> in0{"in0", 1};
  Output<Buffer<float>> out0{"out0", 1};
  Var d0{"d0"};
  void generate() { out0(d0) = in0(d0) + 1.0f; }
};

class Broken : public Generator<Broken> {
public:
  Input<Buffer<float>> in0{"in0", 2};
  Output<Buffer<float>> out0{"out0", 1};
  Var d0{"d0"};
  // Calls a 2-D input with three coordinates: a Halide compile error.
  void generate() { out0(d0) = in0(d0, d0, d0); }
};

} // namespace

HALIDE_REGISTER_GENERATOR(Good, kiln_a_good)
HALIDE_REGISTER_GENERATOR(Broken, kiln_b_broken)
