// Compiles (batch vs seq can only be compared when the generator runs), but
// the generator must fail with this line, the op and both shapes.
#include <kiln/dsl.h>
using namespace kiln::dsl;

struct Mismatch : Model {
  auto forward(Tensor<batch, 3> x, Tensor<seq, 3> y) {
    return x + y; // ERROR-HERE
  }
};
KILN_MODEL(Mismatch, "mismatch") { infer("forward", &Mismatch::forward); }

// EXPECT: error: add: shapes Tensor<batch, 3> and Tensor<seq, 3> do not
// broadcast
