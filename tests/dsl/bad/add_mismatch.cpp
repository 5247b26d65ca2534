// [B, 3] + [B, 4]: static sizes that differ and are not 1 do not broadcast.
#include <kiln/dsl.h>
using namespace kiln::dsl;

inline constexpr auto B = batch;

struct Bad : Model {
  auto forward(Tensor<B, 3> x, Tensor<B, 4> y) {
    return x + y; // ERROR-HERE
  }
};
KILN_MODEL(Bad, "bad") { infer("forward", &Bad::forward); }

// EXPECT: elementwise op: operand shapes do not broadcast
// EXPECT: ShapeMismatch<kiln::dsl::op::add, kiln::dsl::Tensor<kiln::dsl::batch,
// 3>, kiln::dsl::Tensor<kiln::dsl::batch, 4>>
