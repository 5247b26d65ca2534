// Broadcasting aligns trailing dimensions: [5] against [B, 3] fails.
#include <kiln/dsl.h>
using namespace kiln::dsl;

struct Bad : Model {
  auto forward(Tensor<batch, 3> x, Tensor<5> y) {
    return mul(x, y); // ERROR-HERE
  }
};
KILN_MODEL(Bad, "bad") { infer("forward", &Bad::forward); }

// EXPECT: ShapeMismatch<kiln::dsl::op::mul, kiln::dsl::Tensor<kiln::dsl::batch,
// 3>, kiln::dsl::Tensor<5>>
