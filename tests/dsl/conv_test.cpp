// Convolutions, pooling, BatchNorm (running statistics as state), dropout
// and the composites of issue 4: result types, the exact MLIR text of
// docs/ir.md's "Convolutions, pooling and dropout", and the errors found
// when the generator runs.
#include "dsl_test_support.h"

#include <gtest/gtest.h>

#include <type_traits>

#include <fmt/format.h>
#include <kiln/dsl.h>

using namespace kiln::dsl;

namespace {

using kiln::dsl::test::count_of;
using kiln::dsl::test::error_of;

std::string at(int line, int col) {
  return fmt::format("loc(\"{}\":{}:{})", __FILE__, line, col);
}

// Result types, computed by the C++ compiler.
template <class T> T val();
using X28 = Tensor<batch, 1, 28, 28>;
static_assert(std::is_same_v<decltype(conv2d<2, 1>(val<X28>(),
                                                   val<Tensor<64, 1, 4, 4>>())),
                             Tensor<batch, 64, 14, 14>>);
static_assert(std::is_same_v<decltype(conv2d(val<Tensor<2, 3, 5, 7>>(),
                                             val<Tensor<4, 3, 3, 3>>())),
                             Tensor<2, 4, 3, 5>>);
static_assert(std::is_same_v<
              decltype(conv_transpose2d<2, 1>(val<Tensor<batch, 128, 7, 7>>(),
                                              val<Tensor<128, 64, 4, 4>>())),
              Tensor<batch, 64, 14, 14>>);
static_assert(std::is_same_v<decltype(val<Conv2d<64, 128, 4, 2, 1>>()(
                                 val<Tensor<batch, 64, 14, 14>>())),
                             Tensor<batch, 128, 7, 7>>);
static_assert(std::is_same_v<decltype(val<ConvTranspose2d<64, 1, 4, 2, 1>>()(
                                 val<Tensor<batch, 64, 14, 14>>())),
                             Tensor<batch, 1, 28, 28>>);
static_assert(
    std::is_same_v<decltype(max_pool2d<2>(val<Tensor<batch, 32, 28, 28>>())),
                   Tensor<batch, 32, 14, 14>>);
static_assert(
    std::is_same_v<decltype(avg_pool2d<3>(val<Tensor<batch, 2, 6, 9>>())),
                   Tensor<batch, 2, 2, 3>>);
static_assert(std::is_same_v<decltype(flatten(val<Tensor<batch, 64, 7, 7>>())),
                             Tensor<batch, 3136>>);
static_assert(std::is_same_v<decltype(amax<-1, true>(val<Tensor<batch, 6>>())),
                             Tensor<batch, 1>>);
static_assert(std::is_same_v<decltype(log_softmax(val<Tensor<batch, 10>>())),
                             Tensor<batch, 10>>);
static_assert(
    std::is_same_v<decltype(cross_entropy_with_onehot(
                       val<Tensor<batch, 10>>(), val<Tensor<batch, 10>>())),
                   Tensor<batch>>);
static_assert(std::is_same_v<decltype(val<BatchNorm2d<8>>()(
                                 val<Tensor<batch, 8, 3, 3>>(), Mode::eval)),
                             Tensor<batch, 8, 3, 3>>);

// A conv layer and one BatchNorm2d applied twice in a train entry point:
// batch statistics (biased variance) as the sum over a data-parallel job's
// processes of each one's mean divided by their number (kiln.replica_sum,
// kiln.replica_count: kilnc removes both in one process), running
// statistics with momentum 0.1 and the unbiased variance (n = N * H * W *
// processes, N from kiln.dim_size), the second update chained on the
// first, one kiln.param_assign per running statistic at the end, and the
// optimizer's `params`.
TEST(ConvText, ConvBatchNormTrainExactText) {
  ModuleBuilder mb("tiny_conv");
  const int decl = __LINE__ + 1;
  Conv2d<1, 2, 3, 1, 1> conv{"conv"};
  BatchNorm2d<2> bn{"bn"};
  const int body = __LINE__ + 2;
  auto loss = [&](Tensor<batch, 1, 4, 4> x) {
    auto h = bn(conv(x), Mode::train);
    auto y = bn(h, Mode::train); // the same layer again: updates chain
    return mean(y);
  };
  const int call = __LINE__ + 1;
  mb.train("step", loss, Sgd{.lr = 0.1}).params("conv.", "bn.").inputs("x");

  std::string expected = fmt::format(
      R"(module attributes {{kiln.model = "tiny_conv"}} {{
  "kiln.parameter"() {{init = #kiln<init uniform>, init_args = array<f64: -3.3333333333333331e-01, 3.3333333333333331e-01>, sym_name = "conv.weight", type = tensor<2x1x3x3xf32>}} : () -> () {wdecl}
  "kiln.parameter"() {{init = #kiln<init uniform>, init_args = array<f64: -3.3333333333333331e-01, 3.3333333333333331e-01>, sym_name = "conv.bias", type = tensor<2xf32>}} : () -> () {wdecl}
  "kiln.parameter"() {{init = #kiln<init ones>, init_args = array<f64>, sym_name = "bn.weight", type = tensor<2xf32>}} : () -> () {bdecl}
  "kiln.parameter"() {{init = #kiln<init zeros>, init_args = array<f64>, sym_name = "bn.bias", type = tensor<2xf32>}} : () -> () {bdecl}
  "kiln.parameter"() {{init = #kiln<init zeros>, init_args = array<f64>, role = #kiln<role state>, sym_name = "bn.running_mean", type = tensor<2xf32>}} : () -> () {bdecl}
  "kiln.parameter"() {{init = #kiln<init ones>, init_args = array<f64>, role = #kiln<role state>, sym_name = "bn.running_var", type = tensor<2xf32>}} : () -> () {bdecl}
  func.func @step(%arg0: tensor<?x1x4x4xf32> {{kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}}) -> (tensor<f32> {{kiln.name = "loss"}}) attributes {{kiln.entry = #kiln<entry train>, kiln.optimizer = {{kind = "sgd", lr = 1.000000e-01 : f64, momentum = 0.000000e+00 : f64, params = ["conv.", "bn."], weight_decay = 0.000000e+00 : f64}}}} {{
    %0 = "kiln.param_ref"() {{name = @"conv.weight"}} : () -> tensor<2x1x3x3xf32> {conv}
    %1 = "kiln.conv2d"(%arg0, %0) {{padding = array<i64: 1, 1>, stride = array<i64: 1, 1>}} : (tensor<?x1x4x4xf32>, tensor<2x1x3x3xf32>) -> tensor<?x2x4x4xf32> {conv}
    %2 = "kiln.param_ref"() {{name = @"conv.bias"}} : () -> tensor<2xf32> {conv}
    %3 = "kiln.reshape"(%2) : (tensor<2xf32>) -> tensor<2x1x1xf32> {conv}
    %4 = "kiln.add"(%1, %3) : (tensor<?x2x4x4xf32>, tensor<2x1x1xf32>) -> tensor<?x2x4x4xf32> {conv}
    %5 = "kiln.param_ref"() {{name = @"bn.weight"}} : () -> tensor<2xf32> {bn1}
    %6 = "kiln.param_ref"() {{name = @"bn.bias"}} : () -> tensor<2xf32> {bn1}
    %7 = "kiln.replica_count"() : () -> tensor<f32> {bn1}
    %8 = "kiln.reduce_mean"(%4) {{axis = 3 : i64, keepdim = true}} : (tensor<?x2x4x4xf32>) -> tensor<?x2x4x1xf32> {bn1}
    %9 = "kiln.reduce_mean"(%8) {{axis = 2 : i64, keepdim = true}} : (tensor<?x2x4x1xf32>) -> tensor<?x2x1x1xf32> {bn1}
    %10 = "kiln.reduce_mean"(%9) {{axis = 0 : i64, keepdim = true}} : (tensor<?x2x1x1xf32>) -> tensor<1x2x1x1xf32> {bn1}
    %11 = "kiln.div"(%10, %7) : (tensor<1x2x1x1xf32>, tensor<f32>) -> tensor<1x2x1x1xf32> {bn1}
    %12 = "kiln.replica_sum"(%11) : (tensor<1x2x1x1xf32>) -> tensor<1x2x1x1xf32> {bn1}
    %13 = "kiln.sub"(%4, %12) : (tensor<?x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<?x2x4x4xf32> {bn1}
    %14 = "kiln.mul"(%13, %13) : (tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32> {bn1}
    %15 = "kiln.reduce_mean"(%14) {{axis = 3 : i64, keepdim = true}} : (tensor<?x2x4x4xf32>) -> tensor<?x2x4x1xf32> {bn1}
    %16 = "kiln.reduce_mean"(%15) {{axis = 2 : i64, keepdim = true}} : (tensor<?x2x4x1xf32>) -> tensor<?x2x1x1xf32> {bn1}
    %17 = "kiln.reduce_mean"(%16) {{axis = 0 : i64, keepdim = true}} : (tensor<?x2x1x1xf32>) -> tensor<1x2x1x1xf32> {bn1}
    %18 = "kiln.div"(%17, %7) : (tensor<1x2x1x1xf32>, tensor<f32>) -> tensor<1x2x1x1xf32> {bn1}
    %19 = "kiln.replica_sum"(%18) : (tensor<1x2x1x1xf32>) -> tensor<1x2x1x1xf32> {bn1}
    %20 = "kiln.constant"() {{value = dense<1.000000e-05> : tensor<f32>}} : () -> tensor<f32> {bn1}
    %21 = "kiln.add"(%19, %20) : (tensor<1x2x1x1xf32>, tensor<f32>) -> tensor<1x2x1x1xf32> {bn1}
    %22 = "kiln.sqrt"(%21) : (tensor<1x2x1x1xf32>) -> tensor<1x2x1x1xf32> {bn1}
    %23 = "kiln.reshape"(%5) : (tensor<2xf32>) -> tensor<2x1x1xf32> {bn1}
    %24 = "kiln.div"(%23, %22) : (tensor<2x1x1xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x1x1xf32> {bn1}
    %25 = "kiln.mul"(%13, %24) : (tensor<?x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<?x2x4x4xf32> {bn1}
    %26 = "kiln.reshape"(%6) : (tensor<2xf32>) -> tensor<2x1x1xf32> {bn1}
    %27 = "kiln.add"(%25, %26) : (tensor<?x2x4x4xf32>, tensor<2x1x1xf32>) -> tensor<?x2x4x4xf32> {bn1}
    %28 = "kiln.dim_size"(%4) {{axis = 0 : i64}} : (tensor<?x2x4x4xf32>) -> tensor<f32> {bn1}
    %29 = "kiln.constant"() {{value = dense<1.600000e+01> : tensor<f32>}} : () -> tensor<f32> {bn1}
    %30 = "kiln.mul"(%28, %29) : (tensor<f32>, tensor<f32>) -> tensor<f32> {bn1}
    %31 = "kiln.mul"(%30, %7) : (tensor<f32>, tensor<f32>) -> tensor<f32> {bn1}
    %32 = "kiln.constant"() {{value = dense<1.000000e+00> : tensor<f32>}} : () -> tensor<f32> {bn1}
    %33 = "kiln.sub"(%31, %32) : (tensor<f32>, tensor<f32>) -> tensor<f32> {bn1}
    %34 = "kiln.div"(%31, %33) : (tensor<f32>, tensor<f32>) -> tensor<f32> {bn1}
    %35 = "kiln.param_ref"() {{name = @"bn.running_mean"}} : () -> tensor<2xf32> {bn1}
    %36 = "kiln.reshape"(%12) : (tensor<1x2x1x1xf32>) -> tensor<2xf32> {bn1}
    %37 = "kiln.constant"() {{value = dense<9.000000e-01> : tensor<f32>}} : () -> tensor<f32> {bn1}
    %38 = "kiln.mul"(%37, %35) : (tensor<f32>, tensor<2xf32>) -> tensor<2xf32> {bn1}
    %39 = "kiln.constant"() {{value = dense<1.000000e-01> : tensor<f32>}} : () -> tensor<f32> {bn1}
    %40 = "kiln.mul"(%39, %36) : (tensor<f32>, tensor<2xf32>) -> tensor<2xf32> {bn1}
    %41 = "kiln.add"(%38, %40) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32> {bn1}
    %42 = "kiln.mul"(%19, %34) : (tensor<1x2x1x1xf32>, tensor<f32>) -> tensor<1x2x1x1xf32> {bn1}
    %43 = "kiln.param_ref"() {{name = @"bn.running_var"}} : () -> tensor<2xf32> {bn1}
    %44 = "kiln.reshape"(%42) : (tensor<1x2x1x1xf32>) -> tensor<2xf32> {bn1}
    %45 = "kiln.constant"() {{value = dense<9.000000e-01> : tensor<f32>}} : () -> tensor<f32> {bn1}
    %46 = "kiln.mul"(%45, %43) : (tensor<f32>, tensor<2xf32>) -> tensor<2xf32> {bn1}
    %47 = "kiln.constant"() {{value = dense<1.000000e-01> : tensor<f32>}} : () -> tensor<f32> {bn1}
    %48 = "kiln.mul"(%47, %44) : (tensor<f32>, tensor<2xf32>) -> tensor<2xf32> {bn1}
    %49 = "kiln.add"(%46, %48) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32> {bn1}
    %50 = "kiln.replica_count"() : () -> tensor<f32> {bn2}
    %51 = "kiln.reduce_mean"(%27) {{axis = 3 : i64, keepdim = true}} : (tensor<?x2x4x4xf32>) -> tensor<?x2x4x1xf32> {bn2}
    %52 = "kiln.reduce_mean"(%51) {{axis = 2 : i64, keepdim = true}} : (tensor<?x2x4x1xf32>) -> tensor<?x2x1x1xf32> {bn2}
    %53 = "kiln.reduce_mean"(%52) {{axis = 0 : i64, keepdim = true}} : (tensor<?x2x1x1xf32>) -> tensor<1x2x1x1xf32> {bn2}
    %54 = "kiln.div"(%53, %50) : (tensor<1x2x1x1xf32>, tensor<f32>) -> tensor<1x2x1x1xf32> {bn2}
    %55 = "kiln.replica_sum"(%54) : (tensor<1x2x1x1xf32>) -> tensor<1x2x1x1xf32> {bn2}
    %56 = "kiln.sub"(%27, %55) : (tensor<?x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<?x2x4x4xf32> {bn2}
    %57 = "kiln.mul"(%56, %56) : (tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32> {bn2}
    %58 = "kiln.reduce_mean"(%57) {{axis = 3 : i64, keepdim = true}} : (tensor<?x2x4x4xf32>) -> tensor<?x2x4x1xf32> {bn2}
    %59 = "kiln.reduce_mean"(%58) {{axis = 2 : i64, keepdim = true}} : (tensor<?x2x4x1xf32>) -> tensor<?x2x1x1xf32> {bn2}
    %60 = "kiln.reduce_mean"(%59) {{axis = 0 : i64, keepdim = true}} : (tensor<?x2x1x1xf32>) -> tensor<1x2x1x1xf32> {bn2}
    %61 = "kiln.div"(%60, %50) : (tensor<1x2x1x1xf32>, tensor<f32>) -> tensor<1x2x1x1xf32> {bn2}
    %62 = "kiln.replica_sum"(%61) : (tensor<1x2x1x1xf32>) -> tensor<1x2x1x1xf32> {bn2}
    %63 = "kiln.constant"() {{value = dense<1.000000e-05> : tensor<f32>}} : () -> tensor<f32> {bn2}
    %64 = "kiln.add"(%62, %63) : (tensor<1x2x1x1xf32>, tensor<f32>) -> tensor<1x2x1x1xf32> {bn2}
    %65 = "kiln.sqrt"(%64) : (tensor<1x2x1x1xf32>) -> tensor<1x2x1x1xf32> {bn2}
    %66 = "kiln.reshape"(%5) : (tensor<2xf32>) -> tensor<2x1x1xf32> {bn2}
    %67 = "kiln.div"(%66, %65) : (tensor<2x1x1xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x1x1xf32> {bn2}
    %68 = "kiln.mul"(%56, %67) : (tensor<?x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<?x2x4x4xf32> {bn2}
    %69 = "kiln.reshape"(%6) : (tensor<2xf32>) -> tensor<2x1x1xf32> {bn2}
    %70 = "kiln.add"(%68, %69) : (tensor<?x2x4x4xf32>, tensor<2x1x1xf32>) -> tensor<?x2x4x4xf32> {bn2}
    %71 = "kiln.dim_size"(%27) {{axis = 0 : i64}} : (tensor<?x2x4x4xf32>) -> tensor<f32> {bn2}
    %72 = "kiln.constant"() {{value = dense<1.600000e+01> : tensor<f32>}} : () -> tensor<f32> {bn2}
    %73 = "kiln.mul"(%71, %72) : (tensor<f32>, tensor<f32>) -> tensor<f32> {bn2}
    %74 = "kiln.mul"(%73, %50) : (tensor<f32>, tensor<f32>) -> tensor<f32> {bn2}
    %75 = "kiln.constant"() {{value = dense<1.000000e+00> : tensor<f32>}} : () -> tensor<f32> {bn2}
    %76 = "kiln.sub"(%74, %75) : (tensor<f32>, tensor<f32>) -> tensor<f32> {bn2}
    %77 = "kiln.div"(%74, %76) : (tensor<f32>, tensor<f32>) -> tensor<f32> {bn2}
    %78 = "kiln.reshape"(%55) : (tensor<1x2x1x1xf32>) -> tensor<2xf32> {bn2}
    %79 = "kiln.constant"() {{value = dense<9.000000e-01> : tensor<f32>}} : () -> tensor<f32> {bn2}
    %80 = "kiln.mul"(%79, %41) : (tensor<f32>, tensor<2xf32>) -> tensor<2xf32> {bn2}
    %81 = "kiln.constant"() {{value = dense<1.000000e-01> : tensor<f32>}} : () -> tensor<f32> {bn2}
    %82 = "kiln.mul"(%81, %78) : (tensor<f32>, tensor<2xf32>) -> tensor<2xf32> {bn2}
    %83 = "kiln.add"(%80, %82) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32> {bn2}
    %84 = "kiln.mul"(%62, %77) : (tensor<1x2x1x1xf32>, tensor<f32>) -> tensor<1x2x1x1xf32> {bn2}
    %85 = "kiln.reshape"(%84) : (tensor<1x2x1x1xf32>) -> tensor<2xf32> {bn2}
    %86 = "kiln.constant"() {{value = dense<9.000000e-01> : tensor<f32>}} : () -> tensor<f32> {bn2}
    %87 = "kiln.mul"(%86, %49) : (tensor<f32>, tensor<2xf32>) -> tensor<2xf32> {bn2}
    %88 = "kiln.constant"() {{value = dense<1.000000e-01> : tensor<f32>}} : () -> tensor<f32> {bn2}
    %89 = "kiln.mul"(%88, %85) : (tensor<f32>, tensor<2xf32>) -> tensor<2xf32> {bn2}
    %90 = "kiln.add"(%87, %89) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32> {bn2}
    %91 = "kiln.reduce_mean"(%70) {{axis = 0 : i64, keepdim = false}} : (tensor<?x2x4x4xf32>) -> tensor<2x4x4xf32> {mean}
    %92 = "kiln.reduce_mean"(%91) {{axis = 0 : i64, keepdim = false}} : (tensor<2x4x4xf32>) -> tensor<4x4xf32> {mean}
    %93 = "kiln.reduce_mean"(%92) {{axis = 0 : i64, keepdim = false}} : (tensor<4x4xf32>) -> tensor<4xf32> {mean}
    %94 = "kiln.reduce_mean"(%93) {{axis = 0 : i64, keepdim = false}} : (tensor<4xf32>) -> tensor<f32> {mean}
    "kiln.param_assign"(%83) {{name = @"bn.running_mean"}} : (tensor<2xf32>) -> () {bn2}
    "kiln.param_assign"(%90) {{name = @"bn.running_var"}} : (tensor<2xf32>) -> () {bn2}
    func.return %94 : tensor<f32> {call}
  }} {call}
}}
)",
      fmt::arg("wdecl", at(decl, 25)), fmt::arg("bdecl", at(decl + 1, 18)),
      fmt::arg("conv", at(body, 21)), fmt::arg("bn1", at(body, 16)),
      fmt::arg("bn2", at(body + 1, 16)), fmt::arg("mean", at(body + 2, 12)),
      fmt::arg("call", at(call, 3)));
  EXPECT_EQ(mb.mlir(), expected);
}

TEST(ConvText, ConvTransposeAndFreeConvLines) {
  ModuleBuilder mb("convt");
  ConvTranspose2d<3, 2, 4, 2, 1> up{"up"};
  mb.infer("f", [&](Tensor<batch, 3, 5, 5> x, Tensor<4, 3, 3, 3> w) {
    return std::pair{up(x), conv2d<2, 0>(x, w)};
  });
  std::string text = mb.mlir();
  // PyTorch's fan_in of a transposed convolution: weight.size(1) * K * K.
  EXPECT_CONTAINS(
      text,
      R"(init_args = array<f64: -1.7677669529663687e-01, 1.7677669529663687e-01>, sym_name = "up.weight", type = tensor<3x2x4x4xf32>})");
  EXPECT_CONTAINS(
      text,
      R"("kiln.conv_transpose2d"(%arg0, %0) {padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<?x3x5x5xf32>, tensor<3x2x4x4xf32>) -> tensor<?x2x10x10xf32>)");
  EXPECT_CONTAINS(
      text, R"("kiln.reshape"(%2) : (tensor<2xf32>) -> tensor<2x1x1xf32>)");
  EXPECT_CONTAINS(
      text,
      R"("kiln.add"(%1, %3) : (tensor<?x2x10x10xf32>, tensor<2x1x1xf32>) -> tensor<?x2x10x10xf32>)");
  EXPECT_CONTAINS(
      text,
      R"("kiln.conv2d"(%arg0, %arg1) {padding = array<i64: 0, 0>, stride = array<i64: 2, 2>} : (tensor<?x3x5x5xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x2x2xf32>)");
}

TEST(ConvText, PoolingIsReshapeAndTwoReductions) {
  ModuleBuilder mb("pool");
  mb.infer("f", [&](Tensor<batch, 3, 4, 6> x) {
    return std::pair{max_pool2d<2>(x), avg_pool2d<2>(x)};
  });
  std::string text = mb.mlir();
  EXPECT_CONTAINS(
      text,
      R"(%0 = "kiln.reshape"(%arg0) : (tensor<?x3x4x6xf32>) -> tensor<?x3x2x2x3x2xf32>)");
  EXPECT_CONTAINS(
      text,
      R"(%1 = "kiln.reduce_max"(%0) {axis = 5 : i64, keepdim = false} : (tensor<?x3x2x2x3x2xf32>) -> tensor<?x3x2x2x3xf32>)");
  EXPECT_CONTAINS(
      text,
      R"(%2 = "kiln.reduce_max"(%1) {axis = 3 : i64, keepdim = false} : (tensor<?x3x2x2x3xf32>) -> tensor<?x3x2x3xf32>)");
  EXPECT_CONTAINS(
      text, R"(%4 = "kiln.reduce_mean"(%3) {axis = 5 : i64, keepdim = false})");
  EXPECT_CONTAINS(
      text, R"(%5 = "kiln.reduce_mean"(%4) {axis = 3 : i64, keepdim = false})");
}

TEST(ConvText, CompositesNodes) {
  ModuleBuilder mb("composites");
  mb.infer("leaky", [&](Tensor<batch, 6> x) { return leaky_relu(x, 0.2f); });
  mb.infer("xent", [&](Tensor<batch, 6> l, Tensor<batch, 6> t) {
    return cross_entropy_with_onehot(l, t);
  });
  mb.infer("size", [&](Tensor<batch, 6> x) {
    return std::pair{dim_size<0>(x), dim_size<1>(x)};
  });
  std::string text = mb.mlir();
  EXPECT_CONTAINS(
      text,
      R"(%0 = "kiln.constant"() {value = dense<2.000000e-01> : tensor<f32>})");
  EXPECT_CONTAINS(text, R"(%1 = "kiln.mul"(%0, %arg0))");
  EXPECT_CONTAINS(
      text,
      R"(%2 = "kiln.max"(%arg0, %1) : (tensor<?x6xf32>, tensor<?x6xf32>) -> tensor<?x6xf32>)");
  // log_softmax (max-shifted) then -sum(onehot * logp).
  EXPECT_CONTAINS(
      text,
      R"(%0 = "kiln.reduce_max"(%arg0) {axis = 1 : i64, keepdim = true} : (tensor<?x6xf32>) -> tensor<?x1xf32>)");
  EXPECT_CONTAINS(text, R"(%1 = "kiln.sub"(%arg0, %0))");
  EXPECT_CONTAINS(text, R"(%2 = "kiln.exp"(%1))");
  EXPECT_CONTAINS(
      text, R"(%3 = "kiln.reduce_sum"(%2) {axis = 1 : i64, keepdim = true})");
  EXPECT_CONTAINS(text, R"(%4 = "kiln.log"(%3))");
  EXPECT_CONTAINS(text, R"(%5 = "kiln.sub"(%1, %4))");
  EXPECT_CONTAINS(text, R"(%6 = "kiln.mul"(%arg1, %5))");
  EXPECT_CONTAINS(
      text,
      R"(%7 = "kiln.reduce_sum"(%6) {axis = 1 : i64, keepdim = false} : (tensor<?x6xf32>) -> tensor<?xf32>)");
  EXPECT_CONTAINS(text, R"(%8 = "kiln.neg"(%7))");
  // dim_size: kiln.dim_size for a symbol, a constant for a static size.
  EXPECT_CONTAINS(
      text,
      R"(%0 = "kiln.dim_size"(%arg0) {axis = 0 : i64} : (tensor<?x6xf32>) -> tensor<f32>)");
  EXPECT_CONTAINS(
      text,
      R"(%1 = "kiln.constant"() {value = dense<6.000000e+00> : tensor<f32>})");
}

TEST(ConvText, DropoutIsInvertedAndOnlyWhenTraining) {
  ModuleBuilder mb("drop");
  mb.infer("on", [&](Tensor<batch, 4> x) {
    auto eps = randn_like(x); // stream 0: dropout shares the numbering
    return dropout(x, 0.25f, Mode::train) + eps;
  });
  mb.infer("off", [&](Tensor<batch, 4> x) {
    return dropout(x, 0.25f, Mode::eval) + dropout(x, 0.5f, false) +
           dropout(x, 0.0f, true);
  });
  std::string text = mb.mlir();
  EXPECT_CONTAINS(
      text,
      R"(%1 = "kiln.random_uniform"(%arg0) {stream = 1 : i64} : (tensor<?x4xf32>) -> tensor<?x4xf32>)");
  EXPECT_CONTAINS(
      text,
      R"(%2 = "kiln.constant"() {value = dense<2.500000e-01> : tensor<f32>})");
  EXPECT_CONTAINS(text, R"(%3 = "kiln.sub"(%1, %2))");
  EXPECT_CONTAINS(text, R"(%4 = "kiln.step"(%3))");
  // 1 / (1 - p) = 4/3.
  EXPECT_CONTAINS(
      text,
      R"(%5 = "kiln.constant"() {value = dense<1.33333337e+00> : tensor<f32>})");
  EXPECT_CONTAINS(text, R"(%6 = "kiln.mul"(%4, %5))");
  EXPECT_CONTAINS(text, R"(%7 = "kiln.mul"(%arg0, %6))");
  EXPECT_EQ(count_of(text, "kiln.random_uniform"), 1u) << text;

  std::string msg = error_of([&] {
    mb.infer("bad",
             [&](Tensor<batch, 4> x) { return dropout(x, 1.0f, Mode::train); });
  });
  EXPECT_CONTAINS(msg, "error: dropout: p must be in [0, 1), got 1");
}

TEST(ConvText, BatchNormEvalUsesRunningStatistics) {
  ModuleBuilder mb("bn_eval");
  BatchNorm2d<3> bn{"bn"};
  mb.infer("f", [&](Tensor<batch, 3, 2, 2> x) { return bn(x, Mode::eval); });
  std::string text = mb.mlir();
  // scale = weight / sqrt(running_var + eps), shift = bias - mean * scale.
  EXPECT_CONTAINS(text, R"(%0 = "kiln.param_ref"() {name = @"bn.weight"})");
  EXPECT_CONTAINS(text,
                  R"(%2 = "kiln.param_ref"() {name = @"bn.running_mean"})");
  EXPECT_CONTAINS(text,
                  R"(%3 = "kiln.param_ref"() {name = @"bn.running_var"})");
  EXPECT_CONTAINS(
      text,
      R"(%5 = "kiln.add"(%3, %4) : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>)");
  EXPECT_CONTAINS(text, R"(%6 = "kiln.sqrt"(%5))");
  EXPECT_CONTAINS(text, R"(%7 = "kiln.div"(%0, %6))");
  EXPECT_CONTAINS(text, R"(%8 = "kiln.mul"(%2, %7))");
  EXPECT_CONTAINS(text, R"(%9 = "kiln.sub"(%1, %8))");
  EXPECT_CONTAINS(
      text,
      R"(%10 = "kiln.reshape"(%7) : (tensor<3xf32>) -> tensor<3x1x1xf32>)");
  EXPECT_CONTAINS(text, R"(%11 = "kiln.mul"(%arg0, %10))");
  EXPECT_CONTAINS(
      text,
      R"(%13 = "kiln.add"(%11, %12) : (tensor<?x3x2x2xf32>, tensor<3x1x1xf32>) -> tensor<?x3x2x2xf32>)");
  EXPECT_EQ(count_of(text, "reduce_mean"), 0u) << text;
  EXPECT_EQ(count_of(text, "param_assign"), 0u) << text;
  EXPECT_CONTAINS(
      text,
      R"(role = #kiln<role state>, sym_name = "bn.running_mean", type = tensor<3xf32>)");
}

TEST(ConvText, BatchNormWithoutStatsUpdate) {
  ModuleBuilder mb("bn_frozen");
  BatchNorm1d<3> bn{"bn"};
  mb.train(
      "step",
      [&](Tensor<batch, 3> x) {
        return mean(bn(x, Mode::train_no_stats_update));
      },
      Adam{});
  mb.infer("g", [&](Tensor<batch, 3> x) {
    return bn(x, Mode::train_no_stats_update); // fine in an infer entry
  });
  std::string text = mb.mlir();
  EXPECT_EQ(count_of(text, "param_assign"), 0u) << text;
  // Never read, so not even declared.
  EXPECT_EQ(count_of(text, "running_"), 0u) << text;
  EXPECT_EQ(count_of(text, "kiln.reduce_mean\"(%arg0) {axis = 0 : i64, "
                           "keepdim = true}"),
            2u)
      << text;
}

// Static N: the unbiased-variance factor n / (n - 1) is a constant. An eval
// call after a training call in the same entry point reads the updated
// running statistics (as PyTorch would), with no second kiln.param_ref.
TEST(ConvText, BatchNorm1dStaticBatchAndEvalAfterTrain) {
  ModuleBuilder mb("bn1d");
  BatchNorm1d<3> bn{"bn"};
  mb.train(
      "step",
      [&](Tensor<4, 3> x) {
        auto y = bn(x, Mode::train);
        return mean(bn(y, Mode::eval));
      },
      Adam{});
  std::string text = mb.mlir();
  // n = 4 rows times the processes of the job (kilnc folds n / (n - 1) to
  // 4 / 3 in one process: tests/lit/passes/local-replicas.mlir).
  EXPECT_CONTAINS(
      text, R"("kiln.constant"() {value = dense<4.000000e+00> : tensor<f32>})");
  EXPECT_CONTAINS(text, R"("kiln.replica_count"())");
  EXPECT_EQ(count_of(text, "kiln.dim_size"), 0u) << text;
  EXPECT_EQ(count_of(text, R"(param_ref"() {name = @"bn.running_mean"})"), 1u)
      << text;
  EXPECT_CONTAINS(text, R"("kiln.param_assign"(%)");
  EXPECT_EQ(count_of(text, "param_assign"), 2u) << text;
}

TEST(ConvErrors, BatchNormTrainInInferEntry) {
  ModuleBuilder mb("m");
  BatchNorm2d<2> bn{"gen.5"};
  int line = 0;
  std::string msg = error_of([&] {
    mb.infer("f", [&](Tensor<batch, 2, 3, 3> x) {
      line = __LINE__ + 1;
      return bn(x, Mode::train);
    });
  });
  EXPECT_CONTAINS(msg, fmt::format("{}:{}:", __FILE__, line));
  EXPECT_CONTAINS(msg, "BatchNorm2d<2> 'gen.5': Mode::train updates the "
                       "running statistics, which only a train entry point "
                       "can do; use Mode::eval or Mode::train_no_stats_update "
                       "in infer entry point 'f'");
}

TEST(ConvErrors, BatchNormStaticBatchOfOne) {
  ModuleBuilder mb("m");
  BatchNorm1d<2> bn{"bn"};
  std::string msg = error_of([&] {
    mb.train(
        "f", [&](Tensor<1, 2> x) { return mean(bn(x, Mode::train)); }, Adam{});
  });
  EXPECT_CONTAINS(msg, "BatchNorm1d<2> 'bn': training needs more than one "
                       "value per channel, got Tensor<1, 2>");
}

// Also without a running-statistics update (PyTorch refuses both).
TEST(ConvErrors, BatchNormStaticBatchOfOneWithoutStatsUpdate) {
  ModuleBuilder mb("m");
  BatchNorm1d<2> bn{"bn"};
  std::string msg = error_of([&] {
    mb.infer("f", [&](Tensor<1, 2> x) {
      return bn(x, Mode::train_no_stats_update);
    });
  });
  EXPECT_CONTAINS(msg, "BatchNorm1d<2> 'bn': training needs more than one "
                       "value per channel, got Tensor<1, 2>");
}

// A symbolic batch of one is only known when the entry point runs: the
// entry point declares batch >= 2 (kiln.minimums), which the runtime checks.
// BatchNorm2d over 3 x 3 images has 9 values per channel even at batch 1.
TEST(ConvText, BatchNormSymbolicBatchNeedsTwo) {
  ModuleBuilder mb("bn_min");
  BatchNorm1d<3> bn{"bn"};
  BatchNorm2d<2> bn2{"bn2"};
  int line = 0;
  mb.train(
      "step",
      [&](Tensor<batch, 3> x) {
        line = __LINE__ + 1;
        auto y = bn(x, Mode::train);
        return mean(bn(y, Mode::train_no_stats_update));
      },
      Adam{});
  mb.train(
      "step2d",
      [&](Tensor<batch, 2, 3, 3> x) { return mean(bn2(x, Mode::train)); },
      Adam{});
  std::string text = mb.mlir();
  EXPECT_CONTAINS(
      text, fmt::format(
                "attributes {{kiln.entry = #kiln<entry train>, kiln.minimums = "
                "[{{min = 2 : i64, symbol = \"batch\", why = "
                "\"BatchNorm1d<3> 'bn' in training mode ({}:{}) "
                "needs more than one value per channel\"}}], "
                "kiln.optimizer = ",
                __FILE__, line));
  EXPECT_EQ(count_of(text, "kiln.minimums"), 1u) << text;
}

TEST(ConvErrors, StateOutsideTrainEntries) {
  ModuleBuilder mb("m");
  State<2> count{"count", init::zeros()};
  // Reading state is fine anywhere; assigning it only in train entries.
  mb.infer("read", [&](Tensor<2> x) { return x + count.value(); });
  std::string msg = error_of([&] {
    mb.infer("write", [&](Tensor<2> x) {
      count.assign(count.value() + 1.0f);
      return x;
    });
  });
  EXPECT_CONTAINS(msg, "State::assign: updating 'count' (state) is only "
                       "possible in a train entry point; 'write' is an infer "
                       "entry point");
  mb.train(
      "step",
      [&](Tensor<2> x) {
        count.assign(count.value() + 1.0f);
        count.assign(count.value() * 2.0f); // chains on the first
        return sum(x * x);
      },
      Sgd{.lr = 0.1});
  std::string text = mb.mlir();
  EXPECT_CONTAINS(
      text,
      R"(%2 = "kiln.add"(%0, %1) : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>)");
  EXPECT_CONTAINS(text, R"(%4 = "kiln.mul"(%2, %3))");
  EXPECT_CONTAINS(
      text,
      R"("kiln.param_assign"(%4) {name = @"count"} : (tensor<2xf32>) -> ())");
  EXPECT_EQ(count_of(text, "param_assign"), 1u) << text;
}

TEST(ConvErrors, OptimizerParams) {
  ModuleBuilder mb("m");
  Linear<3, 1> a{"net.a"}, b{"net.b"};
  BatchNorm1d<3> bn{"bn"};
  auto loss = [&](Tensor<batch, 3> x) {
    return mean(a(bn(x, Mode::train)) + b(x));
  };
  std::string msg =
      error_of([&] { mb.train("s1", loss, Adam{}).params("net.a", "net.c"); });
  EXPECT_CONTAINS(msg, "error: train('s1').params: no trainable parameter "
                       "that 's1' reads starts with 'net.c'");
  // The running statistics are not trainable: "bn.running" selects nothing.
  msg = error_of([&] { mb.train("s2", loss, Adam{}).params("bn.running"); });
  EXPECT_CONTAINS(msg, "starts with 'bn.running'");
  msg = error_of([&] { mb.train("s3", loss, Adam{}).params(""); });
  EXPECT_CONTAINS(msg, "train('s3').params: a prefix must not be empty");
  msg = error_of([&] {
    mb.infer("i", [&](Tensor<batch, 3> x) { return a(x); }).params("net.");
  });
  EXPECT_CONTAINS(msg, "infer('i').params: only train entry points update "
                       "parameters");
  mb.train("ok", loss, Adam{}).params("net.b", "bn.");
  EXPECT_CONTAINS(
      mb.mlir(),
      R"(lr = 1.000000e-03 : f64, params = ["net.b", "bn."], weight_decay)");
}

} // namespace
