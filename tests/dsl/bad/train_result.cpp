// A training entry point returns the loss, a Scalar.
#include <kiln/dsl.h>
using namespace kiln::dsl;

struct Bad : Model {
  auto loss(Tensor<batch, 3> x) { return sum<1>(x); }
};
KILN_MODEL(Bad, "bad") {
  train("train_step", &Bad::loss, Adam{}); // ERROR-HERE
}

// EXPECT: train: the loss function must return a Scalar (Tensor<>)
