// A symbol alone cannot be cut into equal parts (batch / 2 has no name);
// chunk splits times<2, batch>, what concat of two batches makes.
#include <kiln/dsl.h>
using namespace kiln::dsl;

struct Bad : Model {
  Tensor<batch, 3> forward(Tensor<batch, 3> x) {
    auto [a, b] = chunk<2, 0>(x); // ERROR-HERE
    return a + b;
  }
};
KILN_MODEL(Bad, "bad") { infer("forward", &Bad::forward); }

// EXPECT: chunk: a symbolic axis splits into Parts parts only when it is
