// max_pool2d<2> needs height and width that are multiples of 2.
#include <kiln/dsl.h>
using namespace kiln::dsl;

inline constexpr auto B = batch;

struct Bad : Model {
  auto forward(Tensor<B, 3, 7, 7> x) {
    return max_pool2d<2>(x); // ERROR-HERE
  }
};
KILN_MODEL(Bad, "bad") { infer("forward", &Bad::forward); }

// clang-format off
// EXPECT: max_pool2d / avg_pool2d: height and width must be static multiples of the kernel
// EXPECT: ShapeMismatch<kiln::dsl::op::max_pool2d<2>, kiln::dsl::Tensor<kiln::dsl::batch, 3, 7, 7>>
// clang-format on
