// [B, 2, 3] has 6 static elements per batch row, [B, 5] has 5.
#include <kiln/dsl.h>
using namespace kiln::dsl;

struct Bad : Model {
  auto forward(Tensor<batch, 2, 3> x) {
    return reshape<batch, 5>(x); // ERROR-HERE
  }
};
KILN_MODEL(Bad, "bad") { infer("forward", &Bad::forward); }

// EXPECT: reshape: the static dimensions' element counts differ
// EXPECT: ShapeMismatch<kiln::dsl::op::reshape,
// kiln::dsl::Tensor<kiln::dsl::batch, 2, 3>,
// kiln::dsl::Tensor<kiln::dsl::batch, 5>>
