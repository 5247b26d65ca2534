// The optimizer is Sgd{...}, Adam{...} or AdamW{...}, not a learning rate.
#include <kiln/dsl.h>
using namespace kiln::dsl;

struct Bad : Model {
  Scalar loss(Tensor<batch, 3> x) { return sum(x); }
};
KILN_MODEL(Bad, "bad") {
  train("train_step", &Bad::loss, 1e-3); // ERROR-HERE
}

// EXPECT: train: the optimizer must be Sgd{...}, Adam{...} or AdamW{...}
