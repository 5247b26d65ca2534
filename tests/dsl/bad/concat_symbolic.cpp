// Concatenating along a symbolic axis needs the same symbol in every input
// (two batches make times<2, batch>); batch + seq has no name.
#include <kiln/dsl.h>
using namespace kiln::dsl;

struct Bad : Model {
  auto forward(Tensor<batch, 3> x, Tensor<seq, 3> y) {
    return concat<0>(x, y); // ERROR-HERE
  }
};
KILN_MODEL(Bad, "bad") { infer("forward", &Bad::forward); }

// EXPECT: concat: along a symbolic axis, every input must have the same
// EXPECT: ShapeMismatch<kiln::dsl::op::concat<0>,
// kiln::dsl::Tensor<kiln::dsl::batch, 3>, kiln::dsl::Tensor<kiln::dsl::seq,
// 3>>
