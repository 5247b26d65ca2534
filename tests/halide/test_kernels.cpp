// Hand-written stand-in for a kilnc-generated NAME.kernels.cpp: the same
// shape (one Generator per kernel, algorithm in generate(), schedule() that
// sets estimates and calls the heuristic schedule unless auto_schedule),
// covering each matmul layout, a Linear+bias+ReLU kernel, a pointwise and
// two reductions. All sizes are symbolic, so one build serves every test
// size. Built for each schedule by kiln_halide_kernels (CMakeLists.txt).
#include "kiln/halide/kernel_support.h"

namespace {

using namespace Halide;
namespace kh = kiln::halide;
constexpr int S = kh::kSymbolEstimate;

// C = op(A) @ op(B) with the layout of the template arguments, no epilogue.
template <bool TransposeA, bool TransposeB>
class Gemm : public Generator<Gemm<TransposeA, TransposeB>> {
public:
  template <typename T> using Input = GeneratorInput<T>;
  template <typename T> using Output = GeneratorOutput<T>;
  Input<Buffer<float>> in0{"in0", 2};    // A [M, K] (or [K, M])
  Input<Buffer<float>> in1{"in1", 2};    // B [K, N] (or [N, K])
  Output<Buffer<float>> out0{"out0", 2}; // C [M, N]
  Var d0{"d0"}, d1{"d1"};
  kh::Matmul mm0;

  void generate() {
    const Expr k = TransposeA ? in0.dim(1).extent() : in0.dim(0).extent();
    mm0 = kh::matmul(in0, in1, k,
                     {.transpose_a = TransposeA, .transpose_b = TransposeB});
    out0(d0, d1) = mm0.result(d0, d1);
  }
  void schedule() {
    kh::set_estimates(in0, {S, S});
    kh::set_estimates(in1, {S, S});
    kh::set_estimates(out0, {S, S});
    if (!this->auto_schedule) {
      kh::schedule_matmul(mm0, out0, d0, d1, this->get_target());
    }
  }
};

using GemmNN = Gemm<false, false>;
using GemmTN = Gemm<true, false>;
using GemmNT = Gemm<false, true>;
using GemmTT = Gemm<true, true>;

// A weight gradient as kilnc emits one for a Linear layer over whole
// sequences: C [M, N] static = A^T B with A stored [K, M] and K symbolic,
// expected long (64 x the estimate), which selects the K-blocked schedule.
// TransposeB stores B [N, K] (the transposing pack).
template <int M, int N, bool TransposeB>
class WeightGradLongK : public Generator<WeightGradLongK<M, N, TransposeB>> {
public:
  template <typename T> using Input = GeneratorInput<T>;
  template <typename T> using Output = GeneratorOutput<T>;
  Input<Buffer<float>> in0{"in0", 2};    // A [K, M]
  Input<Buffer<float>> in1{"in1", 2};    // B [K, N] (or [N, K])
  Output<Buffer<float>> out0{"out0", 2}; // C [M, N]
  Var d0{"d0"}, d1{"d1"};
  kh::Matmul mm0;

  void generate() {
    kh::constrain_shape(in0, {M, kh::kDynamic});
    if (TransposeB) {
      kh::constrain_shape(in1, {kh::kDynamic, N});
    } else {
      kh::constrain_shape(in1, {N, kh::kDynamic});
    }
    const Expr k = in0.dim(1).extent();
    mm0 = kh::matmul(in0, in1, k,
                     {.transpose_a = true, .transpose_b = TransposeB}, 64 * S);
    out0(d0, d1) = mm0.result(d0, d1);
    kh::constrain_shape(out0, {N, M});
  }
  void schedule() {
    kh::set_estimates(in0, {M, 64 * S});
    kh::set_estimates(in1, TransposeB ? std::initializer_list<int>{64 * S, N}
                                      : std::initializer_list<int>{N, 64 * S});
    kh::set_estimates(out0, {N, M});
    if (!this->auto_schedule) {
      kh::schedule_matmul(mm0, out0, d0, d1, this->get_target());
    }
  }
};

// Rows that no block divides (two overlapping row chunks), columns past
// one panel (the last shifted); and rows that a block divides, in blocks
// of 6 rows (48 x 128) and of 4 (32 x 64: with AVX-512 A's rows are
// packed per line of 16, matmul_schedule.cpp).
using WeightGradOdd = WeightGradLongK<13, 70, false>;
using WeightGradOddT = WeightGradLongK<13, 70, true>;
using WeightGradWide = WeightGradLongK<48, 128, false>;
using WeightGradFourRowBlocks = WeightGradLongK<32, 64, false>;

// The kernel of the sketch in the design notes: relu(x @ W^T + b).
class LinearRelu : public Generator<LinearRelu> {
public:
  Input<Buffer<float>> in0{"in0", 2};    // x [batch, K]  -> (K, batch)
  Input<Buffer<float>> in1{"in1", 2};    // W [N, K]      -> (K, N)
  Input<Buffer<float>> in2{"in2", 1};    // b [N]
  Output<Buffer<float>> out0{"out0", 2}; // [batch, N]
  Var d0{"d0"}, d1{"d1"};
  kh::Matmul mm0;

  void generate() {
    mm0 = kh::matmul(in0, in1, in0.dim(0).extent(),
                     {.transpose_a = false, .transpose_b = true});
    Func v1("v1");
    v1(d0, d1) = mm0.result(d0, d1) + in2(d0);
    out0(d0, d1) = max(v1(d0, d1), 0.0f);
  }
  void schedule() {
    kh::set_estimates(in0, {S, S});
    kh::set_estimates(in1, {S, S});
    kh::set_estimates(in2, {S});
    kh::set_estimates(out0, {S, S});
    if (!auto_schedule) {
      kh::schedule_matmul(mm0, out0, d0, d1, get_target());
    }
  }
};

// The same with static K = 65, N = 257 declared by constrain_shape, as
// kilnc emits for weights. Batch is symbolic (kh::kDynamic) or static; a
// static batch below 6 selects schedule_matmul's GEMV schedule.
template <int Batch>
class LinearReluStatic : public Generator<LinearReluStatic<Batch>> {
public:
  GeneratorInput<Buffer<float>> in0{"in0", 2};    // x [batch, 65]
  GeneratorInput<Buffer<float>> in1{"in1", 2};    // W [257, 65]
  GeneratorInput<Buffer<float>> in2{"in2", 1};    // b [257]
  GeneratorOutput<Buffer<float>> out0{"out0", 2}; // [batch, 257]
  Var d0{"d0"}, d1{"d1"};
  kh::Matmul mm0;

  void generate() {
    kh::constrain_shape(in0, {65, Batch});
    kh::constrain_shape(in1, {65, 257});
    kh::constrain_shape(in2, {257});
    mm0 = kh::matmul(in0, in1, 65, {.transpose_a = false, .transpose_b = true});
    Func v1("v1");
    v1(d0, d1) = mm0.result(d0, d1) + in2(d0);
    out0(d0, d1) = max(v1(d0, d1), 0.0f);
    kh::constrain_shape(out0, {257, Batch});
  }
  void schedule() {
    const int batch = Batch == kh::kDynamic ? S : Batch;
    kh::set_estimates(in0, {65, batch});
    kh::set_estimates(in1, {65, 257});
    kh::set_estimates(in2, {257});
    kh::set_estimates(out0, {257, batch});
    if (!this->auto_schedule) {
      kh::schedule_matmul(mm0, out0, d0, d1, this->get_target());
    }
  }
};

using LinearReluDynamicBatch = LinearReluStatic<kh::kDynamic>;
using LinearReluBatch1 = LinearReluStatic<1>;
using LinearReluBatch3 = LinearReluStatic<3>;

// out = tanh(x) * s + 0.5, s broadcast over rows.
class Pointwise : public Generator<Pointwise> {
public:
  Input<Buffer<float>> in0{"in0", 2}; // x [batch, N]
  Input<Buffer<float>> in1{"in1", 1}; // s [N]
  Output<Buffer<float>> out0{"out0", 2};
  Var d0{"d0"}, d1{"d1"};

  void generate() { out0(d0, d1) = tanh(in0(d0, d1)) * in1(d0) + 0.5f; }
  void schedule() {
    kh::set_estimates(in0, {S, S});
    kh::set_estimates(in1, {S});
    kh::set_estimates(out0, {S, S});
    if (!auto_schedule) {
      kh::schedule_pointwise(out0, {d0, d1}, get_target());
    }
  }
};

// kiln::halide::math over a vector: out(i, 0..2) = tanh, sigmoid, softplus.
class Math : public Generator<Math> {
public:
  Input<Buffer<float>> in0{"in0", 1};
  Output<Buffer<float>> out0{"out0", 2}; // [3, n]: tensor rows are functions
  Var d0{"d0"}, d1{"d1"};

  void generate() {
    const Expr x = in0(d0);
    out0(d0, d1) = select(d1 == 0, kh::math::tanh(x), d1 == 1,
                          kh::math::sigmoid(x), kh::math::softplus(x));
  }
  void schedule() {
    kh::set_estimates(in0, {S});
    kh::set_estimates(out0, {S, 3});
    if (!auto_schedule) {
      kh::schedule_pointwise(out0, {d0, d1}, get_target());
    }
  }
};

// Row sums of squares, x [batch, N] -> [batch]: reduces the contiguous dim.
class RowSumSquares : public Generator<RowSumSquares> {
public:
  Input<Buffer<float>> in0{"in0", 2};
  Output<Buffer<float>> out0{"out0", 1};
  Var d0{"d0"};
  kh::Reduction red0;

  void generate() {
    Var x("x"), y("y");
    Func sq("sq");
    sq(x, y) = in0(x, y) * in0(x, y); // prologue, inlined
    red0 = kh::reduce(kh::ReduceOp::Sum, sq,
                      {in0.dim(0).extent(), in0.dim(1).extent()}, {0});
    out0(d0) = red0.result(d0);
  }
  void schedule() {
    kh::set_estimates(in0, {S, S});
    kh::set_estimates(out0, {S});
    if (!auto_schedule) {
      kh::schedule_reduction(red0, out0, {d0}, get_target());
    }
  }
};

// Column means over the batch, x [batch, N] -> [N], then 2*m + 1.
class ColumnMean : public Generator<ColumnMean> {
public:
  Input<Buffer<float>> in0{"in0", 2};
  Output<Buffer<float>> out0{"out0", 1};
  Var d0{"d0"};
  kh::Reduction red0;

  void generate() {
    red0 = kh::reduce(kh::ReduceOp::Mean, in0,
                      {in0.dim(0).extent(), in0.dim(1).extent()}, {1});
    out0(d0) = red0.result(d0) * 2.0f + 1.0f; // epilogue, inlined
  }
  void schedule() {
    kh::set_estimates(in0, {S, S});
    kh::set_estimates(out0, {S});
    if (!auto_schedule) {
      kh::schedule_reduction(red0, out0, {d0}, get_target());
    }
  }
};

// BatchNorm's statistics: x [N, C, H, W] -> per-channel mean and maximum
// [C] (Halide dimensions 0, 1 and 3 reduced around the kept 2: the split
// prefix reduction), out(c, 0) = mean, out(c, 1) = max.
class ChannelStats : public Generator<ChannelStats> {
public:
  Input<Buffer<float>> in0{"in0", 4};
  Output<Buffer<float>> out0{"out0", 2};
  Var d0{"d0"}, d1{"d1"};
  kh::Reduction mean, max;

  void generate() {
    std::vector<Expr> extents;
    for (int d = 0; d < 4; ++d) {
      extents.push_back(in0.dim(d).extent());
    }
    mean = kh::reduce(kh::ReduceOp::Mean, in0, extents, {0, 1, 3});
    max = kh::reduce(kh::ReduceOp::Max, in0, extents, {3, 0, 1}, true);
    out0(d0, d1) = select(d1 == 0, mean.result(d0), max.result(0, 0, d0, 0));
  }
  void schedule() {
    kh::set_estimates(in0, {14, 14, 64, S});
    kh::set_estimates(out0, {64, 2});
    if (!auto_schedule) {
      // One Reduction per kernel in kilnc's kernels; the second here is
      // computed at root to test both keep_dims forms of the split.
      kh::schedule_reduction(mean, out0, {d0, d1}, get_target());
      max.accum.compute_root();
      max.prefix.compute_root();
    }
  }
};

} // namespace

HALIDE_REGISTER_GENERATOR(GemmNN, kiln_test_gemm_nn)
HALIDE_REGISTER_GENERATOR(GemmTN, kiln_test_gemm_tn)
HALIDE_REGISTER_GENERATOR(GemmNT, kiln_test_gemm_nt)
HALIDE_REGISTER_GENERATOR(GemmTT, kiln_test_gemm_tt)
HALIDE_REGISTER_GENERATOR(WeightGradOdd, kiln_test_weight_grad_odd)
HALIDE_REGISTER_GENERATOR(WeightGradOddT, kiln_test_weight_grad_odd_t)
HALIDE_REGISTER_GENERATOR(WeightGradWide, kiln_test_weight_grad_wide)
HALIDE_REGISTER_GENERATOR(WeightGradFourRowBlocks,
                          kiln_test_weight_grad_four_row_blocks)
HALIDE_REGISTER_GENERATOR(LinearRelu, kiln_test_linear_relu)
HALIDE_REGISTER_GENERATOR(LinearReluDynamicBatch, kiln_test_linear_relu_static)
HALIDE_REGISTER_GENERATOR(LinearReluBatch1, kiln_test_linear_relu_b1)
HALIDE_REGISTER_GENERATOR(LinearReluBatch3, kiln_test_linear_relu_b3)
HALIDE_REGISTER_GENERATOR(Pointwise, kiln_test_pointwise)
HALIDE_REGISTER_GENERATOR(Math, kiln_test_math)
HALIDE_REGISTER_GENERATOR(RowSumSquares, kiln_test_row_sum_squares)
HALIDE_REGISTER_GENERATOR(ColumnMean, kiln_test_column_mean)
HALIDE_REGISTER_GENERATOR(ChannelStats, kiln_test_channel_stats)
