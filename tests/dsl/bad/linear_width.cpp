// Linear<784, 512> applied to a 256-wide tensor must not compile, and the
// error must name the layer, the received shape and this line.
#include <kiln/dsl.h>
using namespace kiln::dsl;

inline constexpr auto B = batch;

struct Bad : Model {
  Linear<784, 512> enc1{"encoder.0"};
  auto forward(Tensor<B, 256> x) {
    return enc1(x); // ERROR-HERE
  }
};
KILN_MODEL(Bad, "bad") { infer("forward", &Bad::forward); }

// EXPECT: Linear: input's last dimension must equal in_features
// EXPECT: ShapeMismatch<kiln::dsl::Linear<784, 512>,
// kiln::dsl::Tensor<kiln::dsl::batch, 256>> EXPECT: in instantiation of
// function template specialization 'kiln::dsl::Linear<784,
// 512>::operator()<kiln::dsl::batch, 256>' requested here
