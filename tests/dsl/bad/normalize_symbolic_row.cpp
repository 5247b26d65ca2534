// Rows along a symbolic axis cannot be normalised: their width is unknown.
#include <kiln/dsl.h>
using namespace kiln::dsl;

struct Bad : Model {
  auto forward(Tensor<8, batch> x) {
    return normalize(x); // ERROR-HERE
  }
};
KILN_MODEL(Bad, "bad") { infer("forward", &Bad::forward); }

// EXPECT: normalize: the last axis (the rows) must be static
// EXPECT: ShapeMismatch<kiln::dsl::op::normalize,
// kiln::dsl::Tensor<8, kiln::dsl::batch>>
