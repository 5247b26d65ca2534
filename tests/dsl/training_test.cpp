// Train entry points (optimizer attribute, result names), randn_like and the
// composite losses: the exact MLIR text of docs/ir.md's "Training entry
// points" and "Randomness in the graph".
#include "dsl_test_support.h"

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <kiln/dsl.h>

using namespace kiln::dsl;

namespace {

using kiln::dsl::test::error_of;

std::string at(int line, int col) {
  return fmt::format("loc(\"{}\":{}:{})", __FILE__, line, col);
}

// The whole module of a one-parameter train entry point.
TEST(Training, SgdEntryExactText) {
  ModuleBuilder mb("opt");
  const int decl = __LINE__ + 1;
  Param<3> w{"w", init::zeros()};
  const int body = __LINE__ + 1;
  auto loss = [&](Tensor<batch, 3> x) { return mean(x * w); };
  const int call = __LINE__ + 1;
  mb.train("step", loss, Sgd{.lr = 0.1, .momentum = 0.9}).inputs("x");

  std::string expected = fmt::format(
      R"(module attributes {{kiln.model = "opt"}} {{
  "kiln.parameter"() {{init = #kiln<init zeros>, init_args = array<f64>, sym_name = "w", type = tensor<3xf32>}} : () -> () {decl}
  func.func @step(%arg0: tensor<?x3xf32> {{kiln.name = "x", kiln.symbols = ["batch", ""]}}) -> (tensor<f32> {{kiln.name = "loss"}}) attributes {{kiln.entry = #kiln<entry train>, kiln.optimizer = {{kind = "sgd", lr = 1.000000e-01 : f64, momentum = 9.000000e-01 : f64, weight_decay = 0.000000e+00 : f64}}}} {{
    %0 = "kiln.param_ref"() {{name = @"w"}} : () -> tensor<3xf32> {mul}
    %1 = "kiln.mul"(%arg0, %0) : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32> {mul}
    %2 = "kiln.reduce_mean"(%1) {{axis = 0 : i64, keepdim = false}} : (tensor<?x3xf32>) -> tensor<3xf32> {mean}
    %3 = "kiln.reduce_mean"(%2) {{axis = 0 : i64, keepdim = false}} : (tensor<3xf32>) -> tensor<f32> {mean}
    func.return %3 : tensor<f32> {call}
  }} {call}
}}
)",
      // Columns: the Param's name, `x` (left operand of '*'), `mean`.
      fmt::arg("decl", at(decl, 12)), fmt::arg("mul", at(body, 53)),
      fmt::arg("mean", at(body, 48)), fmt::arg("call", at(call, 3)));
  EXPECT_EQ(mb.mlir(), expected);
}

// The function header of `step` trained with `optimizer`.
template <class Opt> std::string header_with(const Opt &optimizer) {
  ModuleBuilder mb("opt");
  Param<3> w{"w", init::zeros()};
  mb.train(
      "step", [&](Tensor<batch, 3> x) { return sum(x * w); }, optimizer);
  std::string text = mb.mlir();
  size_t begin = text.find("  func.func @step");
  size_t end = text.find('\n', begin);
  return text.substr(begin, end - begin);
}

constexpr const char *kStepSignature =
    R"(  func.func @step(%arg0: tensor<?x3xf32> {kiln.name = "input0", kiln.symbols = ["batch", ""]}) -> (tensor<f32> {kiln.name = "loss"}) attributes )";

TEST(Training, OptimizerAttributeSgdDefaults) {
  EXPECT_EQ(
      header_with(Sgd{.lr = 0.01}),
      std::string(kStepSignature) +
          R"({kiln.entry = #kiln<entry train>, kiln.optimizer = {kind = "sgd", lr = 1.000000e-02 : f64, momentum = 0.000000e+00 : f64, weight_decay = 0.000000e+00 : f64}} {)");
}

TEST(Training, OptimizerAttributeAdamDefaults) {
  // docs/ir.md's example: every field, f64, sorted by name as MLIR prints.
  EXPECT_EQ(
      header_with(Adam{}),
      std::string(kStepSignature) +
          R"({kiln.entry = #kiln<entry train>, kiln.optimizer = {beta1 = 9.000000e-01 : f64, beta2 = 9.990000e-01 : f64, eps = 1.000000e-08 : f64, kind = "adam", lr = 1.000000e-03 : f64, weight_decay = 0.000000e+00 : f64}} {)");
}

TEST(Training, OptimizerAttributeAdamCustom) {
  // GAN settings (MODELS.md): lr 2e-4, betas (0.5, 0.999); L2 decay.
  EXPECT_EQ(
      header_with(Adam{.lr = 2e-4, .beta1 = 0.5, .weight_decay = 1e-4}),
      std::string(kStepSignature) +
          R"({kiln.entry = #kiln<entry train>, kiln.optimizer = {beta1 = 5.000000e-01 : f64, beta2 = 9.990000e-01 : f64, eps = 1.000000e-08 : f64, kind = "adam", lr = 2.000000e-04 : f64, weight_decay = 1.000000e-04 : f64}} {)");
}

TEST(Training, OptimizerAttributeAdamWDefaults) {
  EXPECT_EQ(
      header_with(AdamW{}),
      std::string(kStepSignature) +
          R"({kiln.entry = #kiln<entry train>, kiln.optimizer = {beta1 = 9.000000e-01 : f64, beta2 = 9.990000e-01 : f64, eps = 1.000000e-08 : f64, kind = "adamw", lr = 1.000000e-03 : f64, weight_decay = 1.000000e-02 : f64}} {)");
}

TEST(Training, OptimizerValuesRoundTrip) {
  // MLIR's short 6-digit form when it parses back to the same double (3e-4
  // does), 17 significant digits otherwise.
  std::string header = header_with(AdamW{.lr = 3e-4, .eps = 1.234567891e-3});
  EXPECT_CONTAINS(header, "lr = 3.000000e-04 : f64");
  EXPECT_CONTAINS(header, "eps = 1.2345678909999999e-03 : f64");
}

TEST(Training, InferEntryHasNoOptimizer) {
  ModuleBuilder mb("m");
  mb.infer("f", [](Tensor<3> x) { return x; });
  EXPECT_EQ(mb.mlir().find("kiln.optimizer"), std::string::npos);
  EXPECT_CONTAINS(mb.mlir(),
                  R"(attributes {kiln.entry = #kiln<entry infer>} {)");
}

TEST(Training, TupleOfScalarsAndNames) {
  ModuleBuilder mb("m");
  Param<3> w{"w", init::ones()};
  auto terms = [&](Tensor<batch, 3> x) {
    auto a = mean(x * w);
    auto b = mean(x);
    return std::tuple{a + b, a, b};
  };
  mb.train("default_names", terms, Adam{});
  mb.train("named", terms, Adam{}).inputs("x").outputs("loss", "recon", "kl");
  std::string text = mb.mlir();
  EXPECT_CONTAINS(
      text,
      R"(-> (tensor<f32> {kiln.name = "loss"}, tensor<f32> {kiln.name = "output1"}, tensor<f32> {kiln.name = "output2"}) attributes {kiln.entry = #kiln<entry train>, )");
  EXPECT_CONTAINS(
      text,
      R"(-> (tensor<f32> {kiln.name = "loss"}, tensor<f32> {kiln.name = "recon"}, tensor<f32> {kiln.name = "kl"}) attributes {kiln.entry = #kiln<entry train>, )");
  EXPECT_CONTAINS(text, "func.return %6, %3, %5 : tensor<f32>, tensor<f32>, "
                        "tensor<f32>");
}

TEST(Training, BadOptimizerValues) {
  ModuleBuilder mb("m");
  auto loss = [](Tensor<batch, 3> x) { return sum(x); };
  int line = __LINE__ + 2;
  std::string msg =
      error_of([&] { mb.train("a", loss, Sgd{.momentum = 0.9}); });
  EXPECT_CONTAINS(msg, fmt::format("{}:{}:", __FILE__, line));
  EXPECT_CONTAINS(msg, "train('a'): Sgd: .lr must be > 0, got 0 (SGD has no "
                       "default learning rate: write Sgd{.lr = ...})");
  msg = error_of([&] { mb.train("b", loss, Adam{.beta2 = 1.0}); });
  EXPECT_CONTAINS(msg, "train('b'): Adam: .beta2 must be in [0, 1), got 1");
  msg = error_of([&] { mb.train("c", loss, AdamW{.eps = 0}); });
  EXPECT_CONTAINS(msg, "train('c'): AdamW: .eps must be > 0, got 0");
  msg =
      error_of([&] { mb.train("d", loss, Sgd{.lr = 1, .weight_decay = -1}); });
  EXPECT_CONTAINS(msg, "Sgd: .weight_decay must be >= 0, got -1");
  msg = error_of([&] {
    mb.train("e", loss, Adam{.lr = std::numeric_limits<double>::infinity()});
  });
  EXPECT_CONTAINS(msg, "Adam: .lr must be finite, got inf");
  // Failed entry points are not written.
  EXPECT_EQ(mb.mlir().find("func.func"), std::string::npos);
}

// sequence(): kiln.sequences on the module (docs/ir.md); kilnc builds the
// entry point (tests/lit/passes/sequence.mlir).
TEST(Training, SequenceAttribute) {
  ModuleBuilder mb("m");
  Param<3> a{"a", init::ones()}, b{"b", init::ones()};
  mb.train(
        "one", [&](Tensor<batch, 3> x) { return mean(x * a); }, Adam{})
      .inputs("x");
  mb.train(
        "two", [&](Tensor<batch, 3> x) { return mean(x * b); }, Adam{})
      .inputs("x")
      .outputs("loss2");
  mb.sequence("both", {"one", "two"});
  EXPECT_CONTAINS(mb.mlir(), R"(module attributes {kiln.model = "m", )"
                             R"(kiln.sequences = [{entries = ["one", )"
                             R"("two"], name = "both"}]} {)");
}

TEST(Training, BadSequences) {
  ModuleBuilder mb("m");
  Param<3> a{"a", init::ones()};
  mb.train(
      "t", [&](Tensor<batch, 3> x) { return mean(x * a); }, Adam{});
  mb.train(
      "u", [&](Tensor<batch, 3> x) { return mean(x * a); }, Adam{});
  mb.infer("i", [&](Tensor<batch, 3> x) { return x * a; });
  const int line = __LINE__ + 1;
  std::string msg = error_of([&] { mb.sequence("s", {"t", "later"}); });
  EXPECT_CONTAINS(msg, fmt::format("{}:{}:", __FILE__, line));
  EXPECT_CONTAINS(msg, "sequence('s'): no entry point 'later' declared "
                       "before it");
  EXPECT_CONTAINS(error_of([&] {
                    mb.sequence("s", {"t", "i"});
                  }),
                  "sequence('s'): 'i' is an infer entry point; a sequence "
                  "calls train entry points");
  EXPECT_CONTAINS(error_of([&] {
                    mb.sequence("s", {"t", "t"});
                  }),
                  "sequence('s'): 't' is given twice");
  EXPECT_CONTAINS(error_of([&] { mb.sequence("s", {"t"}); }),
                  "sequence('s'): give at least two train entry points");
  EXPECT_CONTAINS(error_of([&] {
                    mb.sequence("u", {"t", "u"});
                  }),
                  "sequence('u'): an entry point of that name exists");
  mb.sequence("s", {"t", "u"});
  EXPECT_CONTAINS(error_of([&] {
                    mb.sequence("s", {"u", "t"});
                  }),
                  "sequence('s'): declared twice");
}

// randn_like: one kiln.random_normal per call, `stream` numbered 0, 1, ...
// in tracing order over the whole module.
TEST(Random, RandnLikeExactText) {
  ModuleBuilder mb("rng");
  const int body = __LINE__ + 2;
  auto sample = [&](Tensor<batch, 4> mu) {
    auto e0 = randn_like(mu);
    auto e1 = randn_like(mu);
    return mu + e0 * e1;
  };
  const int call = __LINE__ + 1;
  mb.infer("f", sample).inputs("mu").outputs("z");

  std::string expected = fmt::format(
      R"(module attributes {{kiln.model = "rng"}} {{
  func.func @f(%arg0: tensor<?x4xf32> {{kiln.name = "mu", kiln.symbols = ["batch", ""]}}) -> (tensor<?x4xf32> {{kiln.name = "z"}}) attributes {{kiln.entry = #kiln<entry infer>}} {{
    %0 = "kiln.random_normal"(%arg0) {{stream = 0 : i64}} : (tensor<?x4xf32>) -> tensor<?x4xf32> {r0}
    %1 = "kiln.random_normal"(%arg0) {{stream = 1 : i64}} : (tensor<?x4xf32>) -> tensor<?x4xf32> {r1}
    %2 = "kiln.mul"(%0, %1) : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32> {mul}
    %3 = "kiln.add"(%arg0, %2) : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32> {add}
    func.return %3 : tensor<?x4xf32> {call}
  }} {call}
}}
)",
      fmt::arg("r0", at(body, 15)), fmt::arg("r1", at(body + 1, 15)),
      fmt::arg("mul", at(body + 2, 17)), fmt::arg("add", at(body + 2, 12)),
      fmt::arg("call", at(call, 3)));
  EXPECT_EQ(mb.mlir(), expected);
}

TEST(Random, StreamsAreUniqueAcrossEntries) {
  ModuleBuilder mb("rng");
  auto noisy = [](Tensor<batch, 2> x) { return x + randn_like(x); };
  mb.train(
      "t", [&](Tensor<batch, 2> x) { return sum(noisy(x)); }, Adam{});
  mb.infer("a", noisy);
  // An entry point that fails does not use up stream numbers.
  (void)error_of([&] {
    mb.infer("bad", [&](Tensor<batch, 2> x, Tensor<seq, 2> y) {
      return noisy(x) + y;
    });
  });
  mb.infer("b", [&](Tensor<2> x) { return randn_like(x) + randn_like(x); });
  std::string text = mb.mlir();
  for (int s = 0; s < 4; ++s) {
    std::string attr = fmt::format("{{stream = {} : i64}}", s);
    size_t first = text.find(attr);
    EXPECT_NE(first, std::string::npos) << attr << "\n" << text;
    EXPECT_EQ(text.find(attr, first + 1), std::string::npos) << attr;
  }
  EXPECT_EQ(text.find("stream = 4"), std::string::npos) << text;
  // Numbered in tracing order: t, a, b.
  EXPECT_LT(text.find("@t("), text.find("stream = 0 "));
  EXPECT_LT(text.find("@a("), text.find("stream = 1 "));
  EXPECT_LT(text.find("@b("), text.find("stream = 2 "));
}

// Composite losses: the nodes each one writes (all at the call's location).
std::string body_of(const std::string &text) {
  std::string out;
  size_t at = text.find("    %");
  while (at != std::string::npos) {
    size_t eq = text.find("= \"", at), end = text.find('\n', at);
    size_t op_end = text.find('"', eq + 3);
    out += text.substr(eq + 3, op_end - eq - 3);
    size_t attr = text.find(" {", op_end);
    if (attr < text.find(" : ", op_end))
      out += text.substr(attr, text.find('}', attr) - attr + 1);
    out += "\n";
    at = text.find("    %", end);
  }
  return out;
}

TEST(Losses, BceWithLogits) {
  ModuleBuilder mb("l");
  mb.infer("f", [](Tensor<batch, 5> x, Tensor<batch, 5> t) {
    return bce_with_logits(x, t);
  });
  EXPECT_EQ(body_of(mb.mlir()), "kiln.softplus\n"
                                "kiln.mul\n"
                                "kiln.sub\n");
  EXPECT_CONTAINS(mb.mlir(), R"("kiln.softplus"(%arg0))");
  EXPECT_CONTAINS(mb.mlir(), R"("kiln.mul"(%arg0, %arg1))");
  EXPECT_CONTAINS(mb.mlir(), R"("kiln.sub"(%0, %1))");
}

TEST(Losses, BceWithLogitsBroadcastsAndChecksSymbols) {
  ModuleBuilder mb("l");
  mb.infer("f", [](Tensor<batch, 5> x, Tensor<5> t) {
    return bce_with_logits(x, t);
  });
  EXPECT_CONTAINS(mb.mlir(), "-> (tensor<?x5xf32> {kiln.name = \"output0\"})");
  int line = 0;
  std::string msg = error_of([&] {
    mb.infer("g", [&](Tensor<batch, 5> x, Tensor<seq, 5> t) {
      line = __LINE__ + 1;
      return bce_with_logits(x, t);
    });
  });
  EXPECT_CONTAINS(msg, fmt::format("{}:{}:", __FILE__, line));
  EXPECT_CONTAINS(msg, "bce_with_logits: shapes Tensor<batch, 5> and "
                       "Tensor<seq, 5> do not broadcast");
}

TEST(Losses, Mse) {
  ModuleBuilder mb("l");
  mb.infer("f", [](Tensor<batch, 3> a, Tensor<batch, 3> b) {
    return mean(mse(a, b));
  });
  EXPECT_EQ(body_of(mb.mlir()), "kiln.sub\n"
                                "kiln.mul\n"
                                "kiln.reduce_mean {axis = 0 : i64, keepdim = "
                                "false}\n"
                                "kiln.reduce_mean {axis = 0 : i64, keepdim = "
                                "false}\n");
  EXPECT_CONTAINS(mb.mlir(), R"("kiln.sub"(%arg0, %arg1))");
  EXPECT_CONTAINS(mb.mlir(), R"("kiln.mul"(%0, %0))");
}

TEST(Losses, SquareAndBatchMean) {
  ModuleBuilder mb("l");
  mb.infer("f", [](Tensor<batch> x) { return batch_mean(square(x)); });
  std::string text = mb.mlir();
  EXPECT_EQ(body_of(text), "kiln.mul\n"
                           "kiln.reduce_mean {axis = 0 : i64, keepdim = "
                           "false}\n");
  EXPECT_CONTAINS(text, R"("kiln.mul"(%arg0, %arg0))");
  EXPECT_CONTAINS(text, "-> (tensor<f32> {kiln.name = \"output0\"})");
}

TEST(Losses, GaussianKlExactText) {
  ModuleBuilder mb("l");
  const int body = __LINE__ + 2;
  mb.infer("kl", [](Tensor<batch, 32> mu, Tensor<batch, 32> logvar) {
    return gaussian_kl(mu, logvar);
  });
  std::string l = at(body, 12);
  std::string expected = fmt::format(
      R"(    %0 = "kiln.constant"() {{value = dense<1.000000e+00> : tensor<f32>}} : () -> tensor<f32> {l}
    %1 = "kiln.add"(%0, %arg1) : (tensor<f32>, tensor<?x32xf32>) -> tensor<?x32xf32> {l}
    %2 = "kiln.mul"(%arg0, %arg0) : (tensor<?x32xf32>, tensor<?x32xf32>) -> tensor<?x32xf32> {l}
    %3 = "kiln.sub"(%1, %2) : (tensor<?x32xf32>, tensor<?x32xf32>) -> tensor<?x32xf32> {l}
    %4 = "kiln.exp"(%arg1) : (tensor<?x32xf32>) -> tensor<?x32xf32> {l}
    %5 = "kiln.sub"(%3, %4) : (tensor<?x32xf32>, tensor<?x32xf32>) -> tensor<?x32xf32> {l}
    %6 = "kiln.reduce_sum"(%5) {{axis = 1 : i64, keepdim = false}} : (tensor<?x32xf32>) -> tensor<?xf32> {l}
    %7 = "kiln.constant"() {{value = dense<-5.000000e-01> : tensor<f32>}} : () -> tensor<f32> {l}
    %8 = "kiln.mul"(%7, %6) : (tensor<f32>, tensor<?xf32>) -> tensor<?xf32> {l}
    func.return %8 : tensor<?xf32>)",
      fmt::arg("l", l));
  EXPECT_CONTAINS(mb.mlir(), expected);
  EXPECT_CONTAINS(mb.mlir(), "-> (tensor<?xf32> {kiln.name = \"output0\"})");
}

// Types of the composites.
static_assert(
    std::is_same_v<decltype(gaussian_kl(std::declval<Tensor<batch, 32>>(),
                                        std::declval<Tensor<batch, 32>>())),
                   Tensor<batch>>);
static_assert(
    std::is_same_v<decltype(bce_with_logits(std::declval<Tensor<batch, 784>>(),
                                            std::declval<Tensor<1, 784>>())),
                   Tensor<batch, 784>>);
static_assert(std::is_same_v<decltype(mse(std::declval<Tensor<batch, 3>>(),
                                          std::declval<Tensor<3>>())),
                             Tensor<batch, 3>>);
static_assert(
    std::is_same_v<decltype(batch_mean(std::declval<Tensor<batch, 3>>())),
                   Tensor<3>>);
static_assert(
    std::is_same_v<decltype(randn_like(std::declval<Tensor<batch, 32>>())),
                   Tensor<batch, 32>>);

} // namespace
