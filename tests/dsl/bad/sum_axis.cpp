// Axis 2 does not exist in a 2-D tensor.
#include <kiln/dsl.h>
using namespace kiln::dsl;

struct Bad : Model {
  auto forward(Tensor<batch, 3> x) {
    return sum<2>(x); // ERROR-HERE
  }
};
KILN_MODEL(Bad, "bad") { infer("forward", &Bad::forward); }

// EXPECT: reduction: axis out of range
// EXPECT: ShapeMismatch<kiln::dsl::op::reduce_sum<2, false>,
// kiln::dsl::Tensor<kiln::dsl::batch, 3>>
