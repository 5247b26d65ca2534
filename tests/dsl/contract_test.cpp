// consumes(), produces() and batch(): what an entry point's tensors mean,
// written as kiln.data and kiln.batch (docs/ir.md, "The model's contract").
#include "dsl_test_support.h"

#include <gtest/gtest.h>

#include <kiln/dsl.h>

using namespace kiln::dsl;

namespace {

using kiln::dsl::test::error_of;

TEST(Contract, WrittenOnArgumentsResultsAndTheEntry) {
  ModuleBuilder mb("m");
  Param<4, 3> w{"w", init::ones()};
  mb.train(
        "step",
        [&](Tensor<batch, 3> x, Tensor<batch, 4> z) {
          return mean(matmul<false, true>(x, w) * z);
        },
        Adam{})
      .inputs("x", "z")
      .consumes(data::images(-1, 1), data::noise())
      .batch(64);
  mb.infer("gen", [&](Tensor<batch, 4> z) { return matmul(z, w); })
      .inputs("z")
      .consumes(data::noise())
      .outputs("img")
      .produces(data::images());
  const std::string text = mb.mlir();
  EXPECT_CONTAINS(text, R"(%arg0: tensor<?x3xf32> {kiln.name = "x", )"
                        R"(kiln.symbols = ["batch", ""], kiln.data = )"
                        R"({kind = "images", max = 1.000000e+00 : f64, )"
                        R"(min = -1.000000e+00 : f64}})");
  EXPECT_CONTAINS(text, R"(%arg1: tensor<?x4xf32> {kiln.name = "z", )"
                        R"(kiln.symbols = ["batch", ""], kiln.data = )"
                        R"({kind = "noise"}})");
  EXPECT_CONTAINS(text, R"(attributes {kiln.entry = #kiln<entry train>, )"
                        R"(kiln.batch = 64 : i64, kiln.optimizer)");
  EXPECT_CONTAINS(text, R"(-> (tensor<?x3xf32> {kiln.name = "img", )"
                        R"(kiln.data = {kind = "images", max = )"
                        R"(1.000000e+00 : f64, min = 0.000000e+00 : f64}}))");
}

TEST(Contract, MistakesAreReportedAtTheEntryPoint) {
  ModuleBuilder mb("m");
  Param<3> w{"w", init::ones()};
  auto loss = [&](Tensor<batch, 3> x) { return mean(x * w); };
  auto id = [&](Tensor<batch, 3> x) { return x * w; };
  EXPECT_CONTAINS(error_of([&] {
                    mb.infer("a", id).consumes(data::images(), data::noise());
                  }),
                  "entry point 'a' has 1 inputs, but consumes() gives 2 "
                  "meanings");
  EXPECT_CONTAINS(error_of([&] { mb.infer("b", id).consumes(data::loss()); }),
                  "entry point 'b': data::loss() describes an output, not an "
                  "input");
  EXPECT_CONTAINS(error_of([&] { mb.infer("c", id).produces(data::noise()); }),
                  "entry point 'c': data::noise() describes an input, not an "
                  "output");
  EXPECT_CONTAINS(
      error_of([&] { mb.infer("d", id).consumes(data::images(1, 0)); }),
      "entry point 'd': images(1, 0): the pixel range must have min < max");
  EXPECT_CONTAINS(
      error_of([&] { mb.train("e", loss, Adam{}).produces(data::loss()); }),
      "train('e').produces(): a train entry point's outputs are "
      "its loss and loss terms");
  EXPECT_CONTAINS(error_of([&] { mb.infer("f", id).batch(8); }),
                  "infer('f').batch(): only train entry points have a "
                  "training batch");
  EXPECT_CONTAINS(error_of([&] { mb.train("g", loss, Adam{}).batch(0); }),
                  "train('g').batch(0): the batch must be at least 1");
  EXPECT_CONTAINS(
      error_of([&] {
        mb.infer("h", id).consumes(data::images()).consumes(data::images());
      }),
      "entry point 'h': consumes() is given twice");
}

} // namespace
