// ConvTranspose2d<128, 64, 4, 2, 1> (weight [128, 64, 4, 4]) applied to a
// 64-channel input must not compile; the error names the layer and both
// shapes and points at this line.
#include <kiln/dsl.h>
using namespace kiln::dsl;

inline constexpr auto B = batch;

struct Bad : Model {
  ConvTranspose2d<128, 64, 4, 2, 1> up{"generator.4"};
  auto forward(Tensor<B, 64, 7, 7> x) {
    return up(x); // ERROR-HERE
  }
};
KILN_MODEL(Bad, "bad") { infer("forward", &Bad::forward); }

// clang-format off
// EXPECT: conv_transpose2d: the input's channels (dimension 1) must equal the weight's in_channels (its dimension 0)
// EXPECT: ShapeMismatch<kiln::dsl::ConvTranspose2d<128, 64, 4, 2, 1>, kiln::dsl::Tensor<kiln::dsl::batch, 64, 7, 7>, kiln::dsl::Tensor<128, 64, 4, 4>>
// clang-format on
