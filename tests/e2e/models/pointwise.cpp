// One inference entry point per row of pointwise_ops.def, plus where()
// and GELU's gradient: the compiled kernel of every pointwise op, for
// pointwise_test.cpp.
#include <kiln/dsl.h>

using namespace kiln::dsl;

inline constexpr auto B = batch;

struct Pointwise : Model {
#define KILN_UNARY(op, reference, lo, hi, mixed)                               \
  Tensor<B, 37> op(Tensor<B, 37> x) { return kiln::dsl::op(x); }
#define KILN_BINARY(op, reference, lo, hi, mixed)                              \
  Tensor<B, 37> op(Tensor<B, 37> a, Tensor<37> b) {                            \
    return kiln::dsl::op(a, b);                                                \
  }
#include "pointwise_ops.def"

  // GELU's gradient kernel, read off a parameter added to its input: with
  // SGD at lr 1 from zero, the offset ends at minus the gradient summed
  // over the batch.
  Param<37> offset{"offset", init::zeros()};
  Scalar gelu_grad(Tensor<B, 37> x) { return sum(gelu(x + offset)); }

  // A mask computed in the kernel selects between two operands.
  Tensor<B, 37> where_greater(Tensor<B, 37> a, Tensor<37> b) {
    return where(kiln::dsl::greater(a, b), a, b);
  }
  // A scalar operand, and a condition that broadcasts.
  Tensor<B, 37> where_scalar(Tensor<B, 1> c, Tensor<B, 37> a) {
    return where(c, a, 0.25f);
  }
};

KILN_MODEL(Pointwise, "pointwise") {
#define KILN_UNARY(op, reference, lo, hi, mixed) infer(#op, &Pointwise::op);
#define KILN_BINARY(op, reference, lo, hi, mixed) infer(#op, &Pointwise::op);
#include "pointwise_ops.def"
  infer("where_greater", &Pointwise::where_greater);
  infer("where_scalar", &Pointwise::where_scalar);
  train("gelu_grad", &Pointwise::gelu_grad, Sgd{.lr = 1}).params("offset");
}
