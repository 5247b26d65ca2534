// The exact MLIR text the DSL writes for small graphs (docs/ir.md).
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <kiln/dsl.h>

using namespace kiln::dsl;

namespace {

// loc("FILE":LINE:COL) for a line of this file.
std::string at(int line, int col) {
  return fmt::format("loc(\"{}\":{}:{})", __FILE__, line, col);
}

TEST(MlirText, TinyModelByHand) {
  ModuleBuilder mb("tiny");
  const int decl = __LINE__ + 1;
  Linear<3, 2> layer{"layer"};
  Param<2> unused{"unused", init::zeros()}; // not referenced: not written
  const int body = __LINE__ + 2;
  auto forward = [&](Tensor<batch, 3> x) {
    auto h = relu(layer(x));
    return 0.5f * h;
  };
  const int call = __LINE__ + 1;
  mb.infer("forward", forward).inputs("x").outputs("y");

  std::string expected = fmt::format(
      R"(module attributes {{kiln.model = "tiny"}} {{
  "kiln.parameter"() {{init = #kiln<init uniform>, init_args = array<f64: -5.7735026918962584e-01, 5.7735026918962584e-01>, sym_name = "layer.weight", type = tensor<2x3xf32>}} : () -> () {decl}
  "kiln.parameter"() {{init = #kiln<init uniform>, init_args = array<f64: -5.7735026918962584e-01, 5.7735026918962584e-01>, sym_name = "layer.bias", type = tensor<2xf32>}} : () -> () {decl}
  func.func @forward(%arg0: tensor<?x3xf32> {{kiln.name = "x", kiln.symbols = ["batch", ""]}}) -> (tensor<?x2xf32> {{kiln.name = "y"}}) attributes {{kiln.entry = #kiln<entry infer>}} {{
    %0 = "kiln.param_ref"() {{name = @"layer.weight"}} : () -> tensor<2x3xf32> {lin}
    %1 = "kiln.matmul"(%arg0, %0) {{transpose_a = false, transpose_b = true}} : (tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<?x2xf32> {lin}
    %2 = "kiln.param_ref"() {{name = @"layer.bias"}} : () -> tensor<2xf32> {lin}
    %3 = "kiln.add"(%1, %2) : (tensor<?x2xf32>, tensor<2xf32>) -> tensor<?x2xf32> {lin}
    %4 = "kiln.relu"(%3) : (tensor<?x2xf32>) -> tensor<?x2xf32> {relu}
    %5 = "kiln.constant"() {{value = dense<5.000000e-01> : tensor<f32>}} : () -> tensor<f32> {half}
    %6 = "kiln.mul"(%5, %4) : (tensor<f32>, tensor<?x2xf32>) -> tensor<?x2xf32> {half}
    func.return %6 : tensor<?x2xf32> {call}
  }} {call}
}}
)",
      // Columns: the Linear member's name, the layer call's '(', relu, the
      // float operand of '*', and the start of the infer() call.
      fmt::arg("decl", at(decl, 16)), fmt::arg("lin", at(body, 24)),
      fmt::arg("relu", at(body, 14)), fmt::arg("half", at(body + 1, 12)),
      fmt::arg("call", at(call, 3)));
  EXPECT_EQ(mb.mlir(), expected);
}

TEST(MlirText, TwoEntriesTrainKindAndDefaultNames) {
  ModuleBuilder mb("two");
  Param<3> w{"w", init::normal(0.0, 0.02)};
  Param<3> c{"c", init::constant(1.5)};
  mb.train(
      "step", [&](Tensor<batch, 3> x) { return sum(x * w); }, Sgd{.lr = 0.5});
  mb.infer("pair", [&](Tensor<2> a, Tensor<seq, 2> b) {
    return std::pair{b - a, c};
  });
  std::string text = mb.mlir();
  // Parameters in declaration order, each once.
  EXPECT_NE(
      text.find(
          R"("kiln.parameter"() {init = #kiln<init normal>, init_args = array<f64: 0.000000e+00, 2.000000e-02>, sym_name = "w", type = tensor<3xf32>})"),
      std::string::npos)
      << text;
  EXPECT_LT(text.find("sym_name = \"w\""), text.find("sym_name = \"c\""));
  EXPECT_NE(
      text.find(
          R"(init = #kiln<init constant>, init_args = array<f64: 1.500000e+00>)"),
      std::string::npos);
  // train entry: kind and the default result name "loss".
  EXPECT_NE(
      text.find(
          R"(func.func @step(%arg0: tensor<?x3xf32> {kiln.name = "input0", kiln.symbols = ["batch", ""]}) -> (tensor<f32> {kiln.name = "loss"}) attributes {kiln.entry = #kiln<entry train>, kiln.optimizer = {kind = "sgd", lr = 5.000000e-01 : f64, momentum = 0.000000e+00 : f64, weight_decay = 0.000000e+00 : f64}} {)"),
      std::string::npos)
      << text;
  // sum over all axes: one reduce_sum per axis.
  EXPECT_NE(
      text.find(
          R"("kiln.reduce_sum"(%1) {axis = 0 : i64, keepdim = false} : (tensor<?x3xf32>) -> tensor<3xf32>)"),
      std::string::npos)
      << text;
  // Several results; a parameter returned directly gets a param_ref.
  EXPECT_NE(
      text.find(
          R"(func.func @pair(%arg0: tensor<2xf32> {kiln.name = "input0", kiln.symbols = [""]}, %arg1: tensor<?x2xf32> {kiln.name = "input1", kiln.symbols = ["seq", ""]}) -> (tensor<?x2xf32> {kiln.name = "output0"}, tensor<3xf32> {kiln.name = "output1"}) attributes {kiln.entry = #kiln<entry infer>} {)"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("func.return %0, %1 : tensor<?x2xf32>, tensor<3xf32>"),
            std::string::npos)
      << text;
}

TEST(MlirText, ConstantsRoundTrip) {
  ModuleBuilder mb("consts");
  mb.infer("f", [&](Tensor<2, 2> x) {
    return x * constant<2, 2>({0.1f, -2.0f, 1.2345678f, 3.0f}) +
           full<2>(0.25f) + 1.0f / 3.0f;
  });
  std::string text = mb.mlir();
  // Values that parse back exactly from 6 digits use MLIR's own short form
  // (0.1f does); others get the 9 digits a float needs.
  EXPECT_NE(text.find("dense<[[1.000000e-01, -2.000000e+00], "
                      "[1.23456776e+00, 3.000000e+00]]> : tensor<2x2xf32>"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("dense<2.500000e-01> : tensor<2xf32>"),
            std::string::npos);
  EXPECT_NE(text.find("dense<3.33333343e-01> : tensor<f32>"), std::string::npos)
      << text;
}

TEST(MlirText, NonFiniteConstantsAreHex) {
  ModuleBuilder mb("nonfinite");
  mb.infer("f", [&](Tensor<2> x) {
    return max(x, -std::numeric_limits<float>::infinity());
  });
  EXPECT_NE(mb.mlir().find("dense<0xFF800000> : tensor<f32>"),
            std::string::npos);
}

TEST(MlirText, SymbolQuotingAndEscapes) {
  ModuleBuilder mb("q\"uote");
  Param<1> p{"0.weight", init::ones()};
  mb.infer("with-dash", [&](Tensor<1> x) { return x + p; });
  std::string text = mb.mlir();
  EXPECT_NE(text.find(R"(module attributes {kiln.model = "q\"uote"})"),
            std::string::npos);
  EXPECT_NE(text.find(R"(func.func @"with-dash"()"), std::string::npos);
  EXPECT_NE(text.find(R"(name = @"0.weight")"), std::string::npos);
}

TEST(MlirText, ParamUsedTwiceGetsOneRef) {
  ModuleBuilder mb("reuse");
  Param<3> p{"p", init::ones()};
  mb.infer("f", [&](Tensor<3> x) { return x * p + p; });
  std::string text = mb.mlir();
  size_t first = text.find("kiln.param_ref");
  EXPECT_NE(first, std::string::npos);
  EXPECT_EQ(text.find("kiln.param_ref", first + 1), std::string::npos);
}

} // namespace
