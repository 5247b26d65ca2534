// [B, 3] x [4, 5]: the contracted dimensions differ.
#include <kiln/dsl.h>
using namespace kiln::dsl;

struct Bad : Model {
  auto forward(Tensor<batch, 3> a, Tensor<4, 5> b) {
    return matmul(a, b); // ERROR-HERE
  }
};
KILN_MODEL(Bad, "bad") { infer("forward", &Bad::forward); }

// EXPECT: matmul: the inner (contracted) dimensions differ
// EXPECT: ShapeMismatch<kiln::dsl::op::matmul<false, false>,
// kiln::dsl::Tensor<kiln::dsl::batch, 3>, kiln::dsl::Tensor<4, 5>>
