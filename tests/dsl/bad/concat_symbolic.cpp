// Concatenating along the symbolic batch would need batch + batch.
#include <kiln/dsl.h>
using namespace kiln::dsl;

struct Bad : Model {
  auto forward(Tensor<batch, 3> x, Tensor<batch, 3> y) {
    return concat<0>(x, y); // ERROR-HERE
  }
};
KILN_MODEL(Bad, "bad") { infer("forward", &Bad::forward); }

// EXPECT: concat: the concatenation axis must be static in every input
// EXPECT: ShapeMismatch<kiln::dsl::op::concat<0>,
// kiln::dsl::Tensor<kiln::dsl::batch, 3>, kiln::dsl::Tensor<kiln::dsl::batch,
// 3>>
