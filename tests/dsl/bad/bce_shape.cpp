// clang-format off
// (the EXPECT lines are matched whole, one per line)
// bce_with_logits: logits and targets must broadcast.
#include <kiln/dsl.h>
using namespace kiln::dsl;

struct Bad : Model {
  Linear<32, 256> dec{"decoder.0"};
  auto recon(Tensor<batch, 32> z, Tensor<batch, 784> x) {
    return bce_with_logits(dec(z), x); // ERROR-HERE
  }
};
KILN_MODEL(Bad, "bad") { infer("recon", &Bad::recon); }

// EXPECT: bce_with_logits: logits and target shapes do not broadcast
// EXPECT: 'kiln::dsl::ShapeMismatch<kiln::dsl::op::bce_with_logits, kiln::dsl::Tensor<kiln::dsl::batch, 256>, kiln::dsl::Tensor<kiln::dsl::batch, 784>>'
