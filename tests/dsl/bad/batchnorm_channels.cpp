// BatchNorm2d<64> applied to a 32-channel tensor must not compile; the error
// names the layer and the input's shape.
#include <kiln/dsl.h>
using namespace kiln::dsl;

inline constexpr auto B = batch;

struct Bad : Model {
  BatchNorm2d<64> bn{"bn"};
  auto forward(Tensor<B, 32, 7, 7> x) {
    return bn(x, Mode::eval); // ERROR-HERE
  }
};
KILN_MODEL(Bad, "bad") { infer("forward", &Bad::forward); }

// clang-format off
// EXPECT: BatchNorm: the input's dimension 1 must equal the number of features
// EXPECT: ShapeMismatch<kiln::dsl::BatchNorm2d<64>, kiln::dsl::Tensor<kiln::dsl::batch, 32, 7, 7>>
// clang-format on
