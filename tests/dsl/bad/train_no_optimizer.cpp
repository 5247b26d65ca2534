// clang-format off
// (the EXPECT lines are matched whole, one per line)
// A train entry point names its optimizer.
#include <kiln/dsl.h>
using namespace kiln::dsl;

struct Bad : Model {
  Scalar loss(Tensor<batch, 3> x) { return sum(x); }
};
KILN_MODEL(Bad, "bad") {
  train("train_step", &Bad::loss); // ERROR-HERE
}

// EXPECT: train: give the optimizer, e.g. train("train_step", &Model::loss, Adam{.lr = 1e-3}) (Sgd, Adam or AdamW)
