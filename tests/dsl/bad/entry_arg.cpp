// Entry point parameters must be tensors.
#include <kiln/dsl.h>
using namespace kiln::dsl;

struct Bad : Model {
  auto forward(Tensor<batch, 3> x, int scale) { return x; }
};
KILN_MODEL(Bad, "bad") {
  infer("forward", &Bad::forward); // ERROR-HERE
}

// EXPECT: entry point parameters must be Tensor<...> or Ints<...> values
