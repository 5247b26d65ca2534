// conv2d with a weight whose in_channels (dimension 1) differ from the
// input's channels must not compile; the error names the op, its stride and
// padding, and both shapes.
#include <kiln/dsl.h>
using namespace kiln::dsl;

inline constexpr auto B = batch;

struct Bad : Model {
  auto forward(Tensor<B, 4, 8, 8> x, Tensor<8, 3, 3, 3> w) {
    return conv2d<1, 1>(x, w); // ERROR-HERE
  }
};
KILN_MODEL(Bad, "bad") { infer("forward", &Bad::forward); }

// clang-format off
// EXPECT: ShapeMismatch<kiln::dsl::op::conv2d<1, 1>, kiln::dsl::Tensor<kiln::dsl::batch, 4, 8, 8>, kiln::dsl::Tensor<8, 3, 3, 3>>
// clang-format on
