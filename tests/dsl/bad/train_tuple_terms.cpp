// clang-format off
// (the EXPECT lines are matched whole, one per line)
// Values a train entry point returns after the loss are Scalars to log.
#include <kiln/dsl.h>
using namespace kiln::dsl;

struct Bad : Model {
  std::tuple<Scalar, Tensor<batch>> loss(Tensor<batch, 3> x) {
    return {sum(x), sum<1>(x)};
  }
};
KILN_MODEL(Bad, "bad") {
  train("train_step", &Bad::loss, Sgd{.lr = 0.1}); // ERROR-HERE
}

// EXPECT: train: the values returned after the loss must be Scalars too (loss terms to log)
