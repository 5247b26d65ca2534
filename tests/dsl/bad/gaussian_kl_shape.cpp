// clang-format off
// (the EXPECT lines are matched whole, one per line)
// gaussian_kl needs mu and logvar of the same shape.
#include <kiln/dsl.h>
using namespace kiln::dsl;

struct Bad : Model {
  Tensor<batch> kl(Tensor<batch, 32> mu, Tensor<batch, 16> logvar) {
    return gaussian_kl(mu, logvar); // ERROR-HERE
  }
};
KILN_MODEL(Bad, "bad") { infer("kl", &Bad::kl); }

// EXPECT: gaussian_kl: mu and logvar must have the same shape, of rank 1 or more
// EXPECT: 'kiln::dsl::ShapeMismatch<kiln::dsl::op::gaussian_kl, kiln::dsl::Tensor<kiln::dsl::batch, 32>, kiln::dsl::Tensor<kiln::dsl::batch, 16>>'
