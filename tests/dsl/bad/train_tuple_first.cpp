// clang-format off
// (the EXPECT lines are matched whole, one per line)
// A train entry point returns the loss first: a tuple must start with a
// Scalar.
#include <kiln/dsl.h>
using namespace kiln::dsl;

struct Bad : Model {
  std::tuple<Tensor<batch>, Scalar> loss(Tensor<batch, 3> x) {
    return {sum<1>(x), sum(x)};
  }
};
KILN_MODEL(Bad, "bad") {
  train("train_step", &Bad::loss, Adam{}); // ERROR-HERE
}

// EXPECT: train: the loss function must return a Scalar (Tensor<>), or a std::tuple of Scalars with the loss first
