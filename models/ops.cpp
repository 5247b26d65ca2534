// One small inference entry point per DSL op, so that execution of every op
// can be tested against a naive reference. `B` is the symbolic batch; the
// other sizes are small and distinct so a mixed-up axis shows.
#include <kiln/dsl.h>

using namespace kiln::dsl;

inline constexpr auto B = batch;

struct Ops : Model {
  Linear<4, 3> lin{"lin"};
  Param<5> gain{"gain", init::constant(0.5)};
  Param<5> shift{"shift", init::zeros()};
  Param<2, 5> ones_p{"ones", init::ones()};

  // Elementwise binary ops, with NumPy broadcasting.
  auto add_bcast(Tensor<B, 3> x, Tensor<1, 3> y) { return x + y; }
  auto add_row(Tensor<B, 3> x, Tensor<3> y) { return x + y; }
  auto sub(Tensor<B, 3> x, Tensor<B, 3> y) { return x - y; }
  auto mul_col(Tensor<B, 3> x, Tensor<B, 1> y) { return x * y; }
  auto div(Tensor<B, 3> x, Tensor<B, 3> y) { return x / y; }
  auto max(Tensor<B, 3> x, Tensor<3> y) { return kiln::dsl::max(x, y); }
  auto min(Tensor<B, 3> x, Tensor<B, 3> y) { return kiln::dsl::min(x, y); }
  auto outer(Tensor<4, 1> x, Tensor<1, 3> y) { return x * y; } // [4, 3]

  // Scalars become a rank-0 kiln.constant.
  auto scalar_mul(Tensor<B, 5> x) { return 0.5f * x; }
  auto scalar_rsub(Tensor<B, 5> x) { return 1.0f - x; }
  auto scalar_div(Tensor<B, 5> x) { return x / 4.0f; }
  auto scalar_max(Tensor<B, 5> x) { return kiln::dsl::max(x, 0.25f); }

  // Unary ops.
  auto neg(Tensor<B, 5> x) { return -x; }
  auto relu(Tensor<B, 5> x) { return kiln::dsl::relu(x); }
  auto sigmoid(Tensor<B, 5> x) { return kiln::dsl::sigmoid(x); }
  auto tanh(Tensor<B, 5> x) { return kiln::dsl::tanh(x); }
  auto exp(Tensor<B, 5> x) { return kiln::dsl::exp(x); }
  auto log(Tensor<B, 5> x) { return kiln::dsl::log(x); }
  auto softplus(Tensor<B, 5> x) { return kiln::dsl::softplus(x); }
  auto sqrt(Tensor<B, 5> x) { return kiln::dsl::sqrt(x); }
  auto abs(Tensor<B, 5> x) { return kiln::dsl::abs(x); }

  // Reductions.
  auto sum1(Tensor<B, 6> x) { return kiln::dsl::sum<1>(x); }
  auto sum1_keep(Tensor<B, 6> x) { return kiln::dsl::sum<1, true>(x); }
  auto mean0(Tensor<B, 6> x) { return kiln::dsl::mean<0>(x); }
  auto mean_all(Tensor<B, 6> x) { return kiln::dsl::mean(x); }
  auto sum_last3(Tensor<B, 2, 3> x) { return kiln::dsl::sum<-1>(x); }

  // Contractions.
  auto matmul(Tensor<B, 4> a, Tensor<4, 3> b) {
    return kiln::dsl::matmul(a, b);
  }
  auto matmul_nt(Tensor<B, 4> a, Tensor<3, 4> b) {
    return kiln::dsl::matmul<false, true>(a, b);
  }
  auto matmul_tn(Tensor<4, B> a, Tensor<4, 3> b) {
    return kiln::dsl::matmul<true, false>(a, b);
  }
  auto linear(Tensor<B, 4> x) { return lin(x); }
  auto transpose(Tensor<B, 3> x) { return kiln::dsl::transpose(x); }

  // Shape ops.
  auto reshape(Tensor<B, 2, 3> x) { return kiln::dsl::reshape<B, 6>(x); }
  auto unflatten(Tensor<B, 6> x) { return kiln::dsl::reshape<B, 3, 2>(x); }
  auto concat(Tensor<B, 2> x, Tensor<B, 3> y) {
    return kiln::dsl::concat(x, y);
  }
  auto concat3(Tensor<B, 1> x, Tensor<B, 2> y, Tensor<B, 3> z) {
    return kiln::dsl::concat(x, y, z);
  }
  auto concat0(Tensor<2, 3> x, Tensor<1, 3> y) {
    return kiln::dsl::concat<0>(x, y);
  }
  auto slice(Tensor<B, 6> x) { return kiln::dsl::slice<1, 2, 3>(x); }
  auto split(Tensor<B, 5> x) {
    auto [a, b] = kiln::dsl::split<2, 3>(x);
    return std::pair{a, b};
  }

  // Constants and parameters with deterministic initialisers.
  auto add_const(Tensor<B, 3> x) {
    return x + constant<3>({1.0f, -2.0f, 0.25f});
  }
  auto full_const(Tensor<B, 3> x) { return x * full<1, 3>(2.0f); }
  auto affine(Tensor<B, 5> x) { return x * gain + shift; }
  auto ones_mm(Tensor<B, 5> x) {
    return kiln::dsl::matmul<false, true>(x, ones_p);
  }
};

KILN_MODEL(Ops, "ops") {
  infer("add_bcast", &Ops::add_bcast);
  infer("add_row", &Ops::add_row);
  infer("sub", &Ops::sub);
  infer("mul_col", &Ops::mul_col);
  infer("div", &Ops::div);
  infer("max", &Ops::max);
  infer("min", &Ops::min);
  infer("outer", &Ops::outer);
  infer("scalar_mul", &Ops::scalar_mul);
  infer("scalar_rsub", &Ops::scalar_rsub);
  infer("scalar_div", &Ops::scalar_div);
  infer("scalar_max", &Ops::scalar_max);
  infer("neg", &Ops::neg);
  infer("relu", &Ops::relu);
  infer("sigmoid", &Ops::sigmoid);
  infer("tanh", &Ops::tanh);
  infer("exp", &Ops::exp);
  infer("log", &Ops::log);
  infer("softplus", &Ops::softplus);
  infer("sqrt", &Ops::sqrt);
  infer("abs", &Ops::abs);
  infer("sum1", &Ops::sum1);
  infer("sum1_keep", &Ops::sum1_keep);
  infer("mean0", &Ops::mean0);
  infer("mean_all", &Ops::mean_all);
  infer("sum_last3", &Ops::sum_last3);
  infer("matmul", &Ops::matmul);
  infer("matmul_nt", &Ops::matmul_nt);
  infer("matmul_tn", &Ops::matmul_tn);
  infer("linear", &Ops::linear);
  infer("transpose", &Ops::transpose);
  infer("reshape", &Ops::reshape);
  infer("unflatten", &Ops::unflatten);
  infer("concat", &Ops::concat);
  infer("concat3", &Ops::concat3);
  infer("concat0", &Ops::concat0);
  infer("slice", &Ops::slice);
  infer("split", &Ops::split);
  infer("add_const", &Ops::add_const);
  infer("full_const", &Ops::full_const);
  infer("affine", &Ops::affine);
  infer("ones_mm", &Ops::ones_mm);
}
