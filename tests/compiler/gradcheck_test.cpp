// Every op's gradient rule against central finite differences, in double
// precision: the autodiff pass's gradients (-kiln-autodiff=return-gradients)
// and the forward loss are both evaluated by the naive double interpreter.
#include "kiln/Dialect/KilnDialect.h"
#include "kiln/Interpreter/Interpreter.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

namespace {

using kiln::interp::DTensor;

struct Param {
  std::string name;
  std::vector<int64_t> shape;
  double lo, hi; // sampled from U(lo, hi), or the negated range too
  bool mixedSign = false;
};

struct Case {
  std::string name;
  std::vector<Param> params;
  std::string body; // ops between the param_refs and the loss, see below
  std::string resultType;
  // When `indexRange` > 0, the function also takes %ids: i32 indices of
  // shape `indexShape` (-1: the batch), uniform in [0, indexRange), each
  // value present (so that every row of a table gets a gradient).
  std::vector<int64_t> indexShape = {};
  int64_t indexRange = 0;
};

void PrintTo(const Case &c, std::ostream *os) { *os << c.name; }

std::string tensorType(const std::vector<int64_t> &shape) {
  std::string s = "tensor<";
  for (int64_t d : shape)
    s += (d < 0 ? std::string("?") : std::to_string(d)) + "x";
  return s + "f64>";
}

std::vector<int64_t> parseShape(const std::string &type) {
  // "tensor<?x3xf64>" -> {-1, 3}; "tensor<f64>" -> {}
  std::string dims = type.substr(7, type.size() - 7 - 4);
  std::vector<int64_t> shape;
  size_t pos = 0;
  while (pos < dims.size()) {
    size_t x = dims.find('x', pos);
    std::string d = dims.substr(pos, x - pos);
    shape.push_back(d == "?" ? -1 : std::stoll(d));
    pos = x + 1;
  }
  return shape;
}

/// Parameters are static, so a symbolic operand %a of shape [?, n] is made
/// as %a = %x_a + %a_p: an argument [batch, n] plus a parameter [1, n] that
/// the gradient check perturbs (its gradient is the batch sum of %a's).
std::vector<int64_t> declaredShape(std::vector<int64_t> shape) {
  for (int64_t &d : shape)
    if (d < 0)
      d = 1;
  return shape;
}

bool symbolic(const std::vector<int64_t> &shape) {
  return std::find(shape.begin(), shape.end(), -1) != shape.end();
}

/// A train function: each param is read into %<name>, `body` computes %y,
/// and the loss is sum(%y * %weights) with fixed random weights, so every
/// element of %y matters differently. %like is a [batch, 3] argument.
std::string moduleText(const Case &c) {
  std::string t = "module attributes {kiln.model = \"g\"} {\n";
  for (const Param &p : c.params)
    t += "  \"kiln.parameter\"() {sym_name = \"" + p.name +
         "\", type = " + tensorType(declaredShape(p.shape)) +
         ", init = #kiln<init zeros>, init_args = array<f64>} : () -> ()\n";
  std::vector<int64_t> resultShape = parseShape(c.resultType);
  t += "  \"kiln.parameter\"() {sym_name = \"weights\", type = " +
       tensorType(declaredShape(resultShape)) +
       ", init = #kiln<init zeros>, init_args = array<f64>, role = #kiln<role "
       "state>} : () "
       "-> ()\n";
  t += "  func.func @f(%like: tensor<?x3xf64> {kiln.symbols = [\"batch\", "
       "\"\"]}";
  for (const Param &p : c.params)
    if (symbolic(p.shape)) {
      t += ", %x_" + p.name + ": " + tensorType(p.shape) +
           " {kiln.symbols = [\"batch\"";
      for (size_t d = 1; d < p.shape.size(); ++d)
        t += ", \"\"";
      t += "]}";
    }
  if (c.indexRange > 0) {
    std::string type = tensorType(c.indexShape);
    type.replace(type.size() - 4, 3, "i32");
    t += ", %ids: " + type + " {kiln.symbols = [";
    for (size_t d = 0; d < c.indexShape.size(); ++d)
      t += std::string(d ? ", " : "") +
           (c.indexShape[d] < 0 ? "\"batch\"" : "\"\"");
    t += "]}";
  }
  t += ") -> tensor<f64> attributes {kiln.entry = #kiln<entry train>} {\n";
  for (const Param &p : c.params) {
    std::string declared = tensorType(declaredShape(p.shape));
    if (!symbolic(p.shape)) {
      t += "    %" + p.name + " = \"kiln.param_ref\"() {name = @" + p.name +
           "} : () -> " + declared + "\n";
      continue;
    }
    t += "    %" + p.name + "_p = \"kiln.param_ref\"() {name = @" + p.name +
         "} : () -> " + declared + "\n";
    t += "    %" + p.name + " = \"kiln.add\"(%x_" + p.name + ", %" + p.name +
         "_p) : (" + tensorType(p.shape) + ", " + declared + ") -> " +
         tensorType(p.shape) + "\n";
  }
  t += c.body;
  // Weights of the same shape as %y (static ones broadcast over the batch).
  t += "    %w = \"kiln.param_ref\"() {name = @weights} : () -> " +
       tensorType(declaredShape(resultShape)) + "\n";
  t += "    %yw = \"kiln.mul\"(%y, %w) : (" + c.resultType + ", " +
       tensorType(declaredShape(resultShape)) + ") -> " + c.resultType + "\n";
  std::string cur = "%yw";
  std::vector<int64_t> shape = resultShape;
  for (size_t i = 0; !shape.empty(); ++i) {
    std::vector<int64_t> rest(shape.begin() + 1, shape.end());
    std::string next = "%s" + std::to_string(i);
    t += "    " + next + " = \"kiln.reduce_sum\"(" + cur +
         ") {axis = 0 : i64} : (" + tensorType(shape) + ") -> " +
         tensorType(rest) + "\n";
    cur = next;
    shape = rest;
  }
  t += "    func.return " + cur + " : tensor<f64>\n  }\n}\n";
  return t;
}

class GradCheck : public ::testing::TestWithParam<Case> {};

TEST_P(GradCheck, MatchesCentralDifferences) {
  const Case &c = GetParam();
  const int64_t batch = 2;
  mlir::DialectRegistry registry;
  registry.insert<kiln::KilnDialect, mlir::func::FuncDialect>();
  mlir::MLIRContext ctx(registry);
  std::string text = moduleText(c);
  auto forward = mlir::parseSourceString<mlir::ModuleOp>(text, &ctx);
  ASSERT_TRUE(forward) << text;
  auto backward = mlir::parseSourceString<mlir::ModuleOp>(text, &ctx);
  mlir::PassManager pm(&ctx);
  pm.addPass(kiln::createKilnAutodiff({/*returnGradients=*/true}));
  ASSERT_TRUE(mlir::succeeded(pm.run(*backward))) << text;

  std::mt19937_64 gen(1234);
  kiln::interp::Environment env;
  auto sample = [&](std::vector<int64_t> shape, double lo, double hi,
                    bool mixed) {
    for (int64_t &d : shape)
      if (d < 0)
        d = batch;
    DTensor t(shape);
    std::uniform_real_distribution<double> u(lo, hi);
    std::bernoulli_distribution sign(0.5);
    for (double &v : t.data)
      v = (mixed && sign(gen)) ? -u(gen) : u(gen);
    return t;
  };
  std::vector<DTensor> args{sample({-1, 3}, 0.5, 1.5, true)};
  for (const Param &p : c.params) {
    if (symbolic(p.shape)) {
      // The argument carries the values; the [1, n] parameter is a small
      // offset, so %a stays inside the case's range.
      args.push_back(sample(p.shape, p.lo, p.hi, p.mixedSign));
      env.params[p.name] = sample(declaredShape(p.shape), 0.0, 0.01, false);
    } else {
      env.params[p.name] = sample(p.shape, p.lo, p.hi, p.mixedSign);
    }
  }
  if (c.indexRange > 0) {
    DTensor ids = sample(c.indexShape, 0, 1, false);
    for (size_t i = 0; i < ids.data.size(); ++i)
      ids.data[i] = double(int64_t(i) % c.indexRange);
    std::shuffle(ids.data.begin(), ids.data.end(), gen);
    args.push_back(ids);
  }
  env.params["weights"] =
      sample(declaredShape(parseShape(c.resultType)), 0.5, 1.5, true);

  auto fwd = forward->lookupSymbol<mlir::func::FuncOp>("f");
  auto bwd = backward->lookupSymbol<mlir::func::FuncOp>("f");
  auto grads = kiln::interp::evaluate(bwd, args, env);
  ASSERT_TRUE(mlir::succeeded(grads));
  ASSERT_EQ(grads->size(), 1 + c.params.size()) << "one gradient per param";

  const double h = 1e-5;
  for (size_t p = 0; p < c.params.size(); ++p) {
    DTensor &value = env.params[c.params[p].name];
    const DTensor &analytic = (*grads)[1 + p];
    ASSERT_EQ(analytic.shape, value.shape) << c.params[p].name;
    double maxErr = 0, scale = 0;
    for (size_t i = 0; i < value.data.size(); ++i) {
      double saved = value.data[i];
      value.data[i] = saved + h;
      double up = (*kiln::interp::evaluate(fwd, args, env))[0].data[0];
      value.data[i] = saved - h;
      double down = (*kiln::interp::evaluate(fwd, args, env))[0].data[0];
      value.data[i] = saved;
      double numeric = (up - down) / (2 * h);
      maxErr = std::max(maxErr, std::fabs(numeric - analytic.data[i]));
      scale = std::max(scale, std::fabs(numeric));
    }
    EXPECT_LT(maxErr / std::max(scale, 1e-12), 1e-6)
        << c.name << ": gradient of " << c.params[p].name;
  }
}

// The op under test reads parameters a [batch, 3] / b and writes %y.
std::vector<Case> cases() {
  const std::string A = "tensor<?x3xf64>", R = "tensor<3xf64>";
  // The pointwise ops of the DSL, from the table the e2e test shares. A
  // binary op's result is added to a * b, so that both operands have a
  // gradient even where the op has none (comparisons).
  std::vector<Case> c;
#define KILN_UNARY(op, reference, lo, hi, mixed)                               \
  c.push_back(                                                                 \
      Case{#op,                                                                \
           {{"a", {-1, 3}, lo, hi, mixed}},                                    \
           "    %y = \"kiln." #op "\"(%a) : (" + A + ") -> " + A + "\n",       \
           A});
#define KILN_BINARY(op, reference, lo, hi, mixed)                              \
  c.push_back(Case{#op,                                                        \
                   {{"a", {-1, 3}, lo, hi, mixed}, {"b", {3}, lo, hi, mixed}}, \
                   "    %p = \"kiln." #op "\"(%a, %b) : (" + A + ", " + R +    \
                       ") -> " + A + "\n    %ab = \"kiln.mul\"(%a, %b) : (" +  \
                       A + ", " + R + ") -> " + A +                            \
                       "\n    %y = \"kiln.add\"(%p, %ab) : (" + A + ", " + A + \
                       ") -> " + A + "\n",                                     \
                   A});
#include "../e2e/models/pointwise_ops.def"
  // select: a mask computed from the operands picks between them.
  c.push_back(Case{"select",
                   {{"a", {-1, 3}, 0.5, 1.5, true}, {"b", {3}, 0.5, 1.5, true}},
                   "    %m = \"kiln.greater\"(%a, %b) : (" + A + ", " + R +
                       ") -> " + A +
                       "\n    %y = \"kiln.select\"(%m, %a, %b) : (" + A + ", " +
                       A + ", " + R + ") -> " + A + "\n",
                   A});
  // A product of %a and %b with the given flags; the result is [4, 5], or
  // [batch, 2, 4, 5] for batched operands.
  auto mm = [&](const std::string &name, std::vector<int64_t> sa,
                std::vector<int64_t> sb, bool ta, bool tb) {
    std::string result = sa.size() > 2 || sb.size() > 2 ? "tensor<?x2x4x5xf64>"
                                                        : "tensor<4x5xf64>";
    return Case{name,
                {{"a", sa, 0.5, 1.5, true}, {"b", sb, 0.5, 1.5, true}},
                "    %y = \"kiln.matmul\"(%a, %b) {transpose_a = " +
                    std::string(ta ? "true" : "false") + ", transpose_b = " +
                    (tb ? "true" : "false") + "} : (" + tensorType(sa) + ", " +
                    tensorType(sb) + ") -> " + result + "\n",
                result};
  };
  c.push_back(mm("matmul", {4, 3}, {3, 5}, false, false));
  c.push_back(mm("matmul_ta", {3, 4}, {3, 5}, true, false));
  c.push_back(mm("matmul_tb", {4, 3}, {5, 3}, false, true));
  c.push_back(mm("matmul_ta_tb", {3, 4}, {5, 3}, true, true));
  // Contraction over the symbolic batch: the weight gradient's shape.
  c.push_back(
      Case{"matmul_batch",
           {{"a", {-1, 3}, 0.5, 1.5, true}, {"b", {-1, 2}, 0.5, 1.5, true}},
           "    %y = \"kiln.matmul\"(%a, %b) {transpose_a = true} : (" + A +
               ", tensor<?x2xf64>) -> tensor<3x2xf64>\n",
           "tensor<3x2xf64>"});
  c.push_back(Case{"reduce_sum",
                   {{"a", {-1, 3}, 0.5, 1.5, true}},
                   "    %y = \"kiln.reduce_sum\"(%a) {axis = 1 : i64} : (" + A +
                       ") -> tensor<?xf64>\n",
                   "tensor<?xf64>"});
  c.push_back(
      Case{"reduce_sum_keepdim",
           {{"a", {-1, 3}, 0.5, 1.5, true}},
           "    %y = \"kiln.reduce_sum\"(%a) {axis = 1 : i64, keepdim = "
           "true} : (" +
               A + ") -> tensor<?x1xf64>\n",
           "tensor<?x1xf64>"});
  c.push_back(Case{"reduce_mean_batch",
                   {{"a", {-1, 3}, 0.5, 1.5, true}},
                   "    %y = \"kiln.reduce_mean\"(%a) {axis = 0 : i64} : (" +
                       A + ") -> " + R + "\n",
                   R});
  // Row normalisation (LayerNorm without its scale and shift): over a
  // symbolic batch of rows of 5, and rows of 4 in a static rank-3 tensor
  // with a small eps that the variance still dominates.
  c.push_back(Case{"normalize",
                   {{"a", {-1, 5}, 0.5, 1.5, true}},
                   "    %y = \"kiln.normalize\"(%a) {eps = 1.0e-5 : f64} : "
                   "(tensor<?x5xf64>) -> tensor<?x5xf64>\n",
                   "tensor<?x5xf64>"});
  c.push_back(Case{"normalize_rank3",
                   {{"a", {2, 3, 4}, -2.0, 2.0}},
                   "    %y = \"kiln.normalize\"(%a) {eps = 0.25 : f64} : "
                   "(tensor<2x3x4xf64>) -> tensor<2x3x4xf64>\n",
                   "tensor<2x3x4xf64>"});
  c.push_back(Case{"reshape",
                   {{"a", {-1, 6}, 0.5, 1.5, true}},
                   "    %y = \"kiln.reshape\"(%a) : (tensor<?x6xf64>) -> "
                   "tensor<?x2x3xf64>\n",
                   "tensor<?x2x3xf64>"});
  // Batched products: batch dimensions of either operand, broadcast (a
  // missing one, one of size 1), with each transpose flag.
  c.push_back(mm("matmul_batched", {-1, 2, 4, 3}, {-1, 2, 3, 5}, false, false));
  c.push_back(
      mm("matmul_batched_broadcast", {-1, 2, 4, 3}, {1, 5, 3}, false, true));
  c.push_back(mm("matmul_batched_ta", {2, 3, 4}, {-1, 2, 3, 5}, true, false));
  c.push_back(Case{"permute",
                   {{"a", {-1, 2, 3, 4}, 0.5, 1.5, true}},
                   "    %y = \"kiln.permute\"(%a) {permutation = array<i64: 0, "
                   "2, 3, 1>} : (tensor<?x2x3x4xf64>) -> tensor<?x3x4x2xf64>\n",
                   "tensor<?x3x4x2xf64>"});
  // Softmax cross-entropy against integer targets: rows [batch, 4] of 6
  // classes, each class a target somewhere.
  c.push_back(Case{"cross_entropy",
                   {{"a", {-1, 4, 6}, -2.0, 2.0}},
                   "    %y = \"kiln.cross_entropy\"(%a, %ids) : "
                   "(tensor<?x4x6xf64>, tensor<?x4xi32>) -> tensor<?x4xf64>\n",
                   "tensor<?x4xf64>",
                   {-1, 4},
                   6});
  // Embedding lookups and their adjoint, with repeated indices: gather
  // along axis 0 (rows of a [5, 3] table by [batch, 4] ids) and along the
  // last axis, and scatter_add itself.
  c.push_back(Case{"gather",
                   {{"a", {5, 3}, 0.5, 1.5, true}},
                   "    %y = \"kiln.gather\"(%a, %ids) {axis = 0 : i64} : "
                   "(tensor<5x3xf64>, tensor<?x4xi32>) -> tensor<?x4x3xf64>\n",
                   "tensor<?x4x3xf64>",
                   {-1, 4},
                   5});
  c.push_back(Case{"gather_last_axis",
                   {{"a", {3, 5}, 0.5, 1.5, true}},
                   "    %y = \"kiln.gather\"(%a, %ids) {axis = 1 : i64} : "
                   "(tensor<3x5xf64>, tensor<4xi32>) -> tensor<3x4xf64>\n",
                   "tensor<3x4xf64>",
                   {4},
                   5});
  c.push_back(Case{"scatter_add",
                   {{"a", {-1, 4, 3}, 0.5, 1.5, true}},
                   "    %y = \"kiln.scatter_add\"(%a, %ids) {axis = 0 : i64, "
                   "size = 5 : i64} : (tensor<?x4x3xf64>, tensor<?x4xi32>) -> "
                   "tensor<5x3xf64>\n",
                   "tensor<5x3xf64>",
                   {-1, 4},
                   5});
  // iota gives indices, not gradients: d(a * iota(a))/da = iota.
  c.push_back(Case{"iota",
                   {{"a", {-1, 3}, 0.5, 1.5, true}},
                   "    %i = \"kiln.iota\"(%a) {axis = 1 : i64} : (" + A +
                       ") -> " + A + "\n    %y = \"kiln.mul\"(%a, %i) : (" + A +
                       ", " + A + ") -> " + A + "\n",
                   A});
  // A reshape that merges the batch into rows ([batch, 6] -> [2*batch, 3],
  // the Linear-on-any-rank pattern), a matmul on the rows, and the split
  // back: the gradient is the same two reshapes the other way round.
  c.push_back(Case{
      "reshape_merge_split",
      {{"a", {-1, 6}, 0.5, 1.5, true}, {"b", {3, 2}, 0.5, 1.5, true}},
      "    %r = \"kiln.reshape\"(%a) {input_symbols = [\"batch\", \"\"], "
      "result_symbols = [\"2*batch\", \"\"]} : (tensor<?x6xf64>) -> "
      "tensor<?x3xf64>\n"
      "    %m = \"kiln.matmul\"(%r, %b) : (tensor<?x3xf64>, tensor<3x2xf64>) "
      "-> tensor<?x2xf64>\n"
      "    %y = \"kiln.reshape\"(%m) {input_symbols = [\"2*batch\", \"\"], "
      "result_symbols = [\"batch\", \"\"]} : (tensor<?x2xf64>) -> "
      "tensor<?x4xf64>\n",
      "tensor<?x4xf64>"});
  c.push_back(
      Case{"concat",
           {{"a", {-1, 3}, 0.5, 1.5, true}, {"b", {-1, 2}, 0.5, 1.5, true}},
           "    %y = \"kiln.concat\"(%a, %b) {axis = 1 : i64} : (" + A +
               ", tensor<?x2xf64>) -> tensor<?x5xf64>\n",
           "tensor<?x5xf64>"});
  c.push_back(
      Case{"slice",
           {{"a", {-1, 6}, 0.5, 1.5, true}},
           "    %y = \"kiln.slice\"(%a) {axis = 1 : i64, start = 2 : i64, "
           "size = 3 : i64} : (tensor<?x6xf64>) -> " +
               A + "\n",
           A});
  c.push_back(
      Case{"pad",
           {{"a", {-1, 3}, 0.5, 1.5, true}},
           "    %y = \"kiln.pad\"(%a) {axis = 1 : i64, before = 1 : i64, "
           "after = 2 : i64} : (" +
               A + ") -> tensor<?x6xf64>\n",
           "tensor<?x6xf64>"});
  c.push_back(Case{"transpose",
                   {{"a", {4, 3}, 0.5, 1.5, true}},
                   "    %y = \"kiln.transpose\"(%a) : (tensor<4x3xf64>) -> "
                   "tensor<3x4xf64>\n",
                   "tensor<3x4xf64>"});
  c.push_back(
      Case{"broadcast_to",
           {{"a", {-1, 1}, 0.5, 1.5, true}},
           "    %y = \"kiln.broadcast_to\"(%a, %like) : (tensor<?x1xf64>, "
           "tensor<?x3xf64>) -> " +
               A + "\n",
           A});
  // Convolutions on odd, non-square shapes; %a is the input (symbolic
  // batch unless said), %b the weight. Strides 1, 2 and 3, padding 0 and 1,
  // and padded inputs that are not a whole number of strides (the
  // gradient's transposed convolution then needs output_padding).
  auto conv = [&](const std::string &name, const std::string &op,
                  std::vector<int64_t> x, std::vector<int64_t> w,
                  const std::string &attrs, std::vector<int64_t> y) {
    return Case{name,
                {{"a", x, 0.5, 1.5, true}, {"b", w, 0.5, 1.5, true}},
                "    %y = \"kiln." + op + "\"(%a, %b) {" + attrs + "} : (" +
                    tensorType(x) + ", " + tensorType(w) + ") -> " +
                    tensorType(y) + "\n",
                tensorType(y)};
  };
  auto sp = [](int sh, int sw, int ph, int pw) {
    return "stride = array<i64: " + std::to_string(sh) + ", " +
           std::to_string(sw) +
           ">, padding = array<i64: " + std::to_string(ph) + ", " +
           std::to_string(pw) + ">";
  };
  c.push_back(conv("conv2d_s1_p1_static", "conv2d", {2, 3, 7, 5}, {4, 3, 3, 3},
                   sp(1, 1, 1, 1), {2, 4, 7, 5}));
  c.push_back(conv("conv2d_s1_p0", "conv2d", {-1, 3, 7, 5}, {4, 3, 3, 3},
                   sp(1, 1, 0, 0), {-1, 4, 5, 3}));
  c.push_back(conv("conv2d_s2_p0", "conv2d", {-1, 3, 7, 5}, {4, 3, 3, 3},
                   sp(2, 2, 0, 0), {-1, 4, 3, 2}));
  c.push_back(conv("conv2d_s2_p1", "conv2d", {-1, 3, 7, 5}, {4, 3, 3, 3},
                   sp(2, 2, 1, 1), {-1, 4, 4, 3}));
  // (8 + 2 - 3) % 2 = (6 + 2 - 3) % 2 = 1: output_padding 1 in the gradient.
  c.push_back(conv("conv2d_s2_p1_remainder", "conv2d", {-1, 3, 8, 6},
                   {4, 3, 3, 3}, sp(2, 2, 1, 1), {-1, 4, 4, 3}));
  c.push_back(conv("conv2d_mixed_stride", "conv2d", {-1, 2, 8, 7}, {3, 2, 3, 2},
                   sp(3, 2, 1, 1), {-1, 3, 3, 4}));
  c.push_back(conv("conv2d_k4_s2_p1", "conv2d", {-1, 1, 6, 6}, {3, 1, 4, 4},
                   sp(2, 2, 1, 1), {-1, 3, 3, 3}));
  c.push_back(conv("conv_transpose2d_k4_s2_p1", "conv_transpose2d",
                   {-1, 3, 4, 3}, {3, 2, 4, 4}, sp(2, 2, 1, 1), {-1, 2, 8, 6}));
  c.push_back(conv("conv_transpose2d_s1_p0", "conv_transpose2d", {-1, 2, 3, 4},
                   {2, 3, 2, 3}, sp(1, 1, 0, 0), {-1, 3, 4, 6}));
  c.push_back(conv("conv_transpose2d_output_padding", "conv_transpose2d",
                   {-1, 3, 4, 3}, {3, 2, 3, 3},
                   sp(2, 3, 1, 0) + ", output_padding = array<i64: 1, 2>",
                   {-1, 2, 8, 11}));
  c.push_back(conv(
      "conv2d_weight_grad", "conv2d_weight_grad", {-1, 3, 8, 6}, {-1, 4, 4, 3},
      sp(2, 2, 1, 1) + ", kernel_size = array<i64: 3, 3>", {4, 3, 3, 3}));
  // reduce_max: continuous random values, so no ties (docs/ir.md: ties
  // share the gradient evenly).
  c.push_back(Case{"reduce_max",
                   {{"a", {-1, 3}, 0.5, 1.5, true}},
                   "    %y = \"kiln.reduce_max\"(%a) {axis = 1 : i64} : (" + A +
                       ") -> tensor<?xf64>\n",
                   "tensor<?xf64>"});
  c.push_back(
      Case{"reduce_max_keepdim_4d",
           {{"a", {-1, 3, 4, 2}, 0.5, 1.5, true}},
           "    %y = \"kiln.reduce_max\"(%a) {axis = 2 : i64, keepdim = true} "
           ": (tensor<?x3x4x2xf64>) -> tensor<?x3x1x2xf64>\n",
           "tensor<?x3x1x2xf64>"});
  c.push_back(Case{"reduce_max_batch",
                   {{"a", {-1, 3}, 0.5, 1.5, true}},
                   "    %y = \"kiln.reduce_max\"(%a) {axis = 0 : i64} : (" + A +
                       ") -> " + R + "\n",
                   R});
  // random_uniform has no gradient; the value it scales does.
  c.push_back(
      Case{"random_uniform",
           {{"a", {-1, 3}, 0.5, 1.5, true}},
           "    %u = \"kiln.random_uniform\"(%a) {stream = 0 : i64} : (" + A +
               ") -> " + A + "\n    %y = \"kiln.mul\"(%u, %a) : (" + A + ", " +
               A + ") -> " + A + "\n",
           A});
  // Fused attention: q [batch, 2, S, 4], k [batch, 2, K, 4], v [batch, 2,
  // K, 3]; its gradient is attention_lse, a row sum and three
  // attention_grad ops. `mask` is a constant [1, 1, K] key mask or empty;
  // with every key masked, q and k get no gradient and v a uniform one.
  auto att = [&](const std::string &name, int64_t s, int64_t keys,
                 const std::string &attrs, const std::string &mask) {
    std::string q = tensorType({-1, 2, s, 4}), k = tensorType({-1, 2, keys, 4}),
                v = tensorType({-1, 2, keys, 3}), y = tensorType({-1, 2, s, 3});
    std::string body, operands = "%a, %b, %c", types = q + ", " + k + ", " + v;
    if (!mask.empty()) {
      std::string m = tensorType({1, 1, keys});
      body = "    %m = \"kiln.constant\"() {value = dense<" + mask +
             "> : " + m + "} : () -> " + m + "\n";
      operands += ", %m";
      types += ", " + m;
    }
    body += "    %y = \"kiln.attention\"(" + operands + ") {" + attrs +
            "} : (" + types + ") -> " + y + "\n";
    return Case{name,
                {{"a", {-1, 2, s, 4}, 0.5, 1.5, true},
                 {"b", {-1, 2, keys, 4}, 0.5, 1.5, true},
                 {"c", {-1, 2, keys, 3}, 0.5, 1.5, true}},
                body,
                y};
  };
  c.push_back(att("attention_cross", 3, 5, "scale = 0.7 : f64", ""));
  c.push_back(
      att("attention_causal", 4, 4, "scale = 0.5 : f64, causal = true", ""));
  c.push_back(att("attention_key_mask", 3, 5, "scale = 0.7 : f64",
                  "[[[0.0, 1.0, 0.0, 0.0, 1.0]]]"));
  c.push_back(
      att("attention_all_keys_masked", 3, 5, "scale = 0.7 : f64", "1.0"));
  // A chain that reuses a value: gradients of several uses add up.
  c.push_back(Case{"reuse",
                   {{"a", {-1, 3}, 0.5, 1.5, true}},
                   "    %t = \"kiln.tanh\"(%a) : (" + A + ") -> " + A +
                       "\n"
                       "    %y = \"kiln.mul\"(%t, %a) : (" +
                       A + ", " + A + ") -> " + A + "\n",
                   A});
  return c;
}

INSTANTIATE_TEST_SUITE_P(Ops, GradCheck, ::testing::ValuesIn(cases()),
                         [](const auto &info) { return info.param.name; });

} // namespace
