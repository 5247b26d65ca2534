// split<2, 2> does not cover a last dimension of 5.
#include <kiln/dsl.h>
using namespace kiln::dsl;

struct Bad : Model {
  auto forward(Tensor<batch, 5> x) {
    auto [a, b] = split<2, 2>(x); // ERROR-HERE
    return a + b;
  }
};
KILN_MODEL(Bad, "bad") { infer("forward", &Bad::forward); }

// EXPECT: split: the sizes must add up to the last dimension
// EXPECT: ShapeMismatch<kiln::dsl::op::split<2, 2>,
// kiln::dsl::Tensor<kiln::dsl::batch, 5>>
