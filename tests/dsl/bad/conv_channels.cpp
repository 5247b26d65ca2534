// Conv2d<3, 8, 3, 1, 1> applied to a 4-channel image must not compile, and
// the error must name the layer, the input and weight shapes and this line.
#include <kiln/dsl.h>
using namespace kiln::dsl;

inline constexpr auto B = batch;

struct Bad : Model {
  Conv2d<3, 8, 3, 1, 1> conv{"conv"};
  auto forward(Tensor<B, 4, 28, 28> x) {
    return conv(x); // ERROR-HERE
  }
};
KILN_MODEL(Bad, "bad") { infer("forward", &Bad::forward); }

// clang-format off
// EXPECT: conv2d: the input's channels (dimension 1) must equal the weight's in_channels
// EXPECT: ShapeMismatch<kiln::dsl::Conv2d<3, 8, 3, 1, 1>, kiln::dsl::Tensor<kiln::dsl::batch, 4, 28, 28>, kiln::dsl::Tensor<8, 3, 3, 3>>
// EXPECT: 'kiln::dsl::Conv2d<3, 8, 3, 1, 1>::operator()<kiln::dsl::batch, 4, 28, 28>' requested here
// clang-format on
