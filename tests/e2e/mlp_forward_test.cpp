// The example MLP (models/mlp.cpp) compiled end to end, against a naive
// double-precision reference using the same parameters.
#include "mlp.h"
#include "reference.h"

#include <gtest/gtest.h>

namespace {

using kiln::test::Matrix;

class MlpForward : public ::testing::TestWithParam<int64_t> {};

TEST_P(MlpForward, MatchesDoubleReference) {
  const int64_t batch = GetParam();
  kiln::models::mlp::Model model(/*seed=*/42);
  kiln::rt::Tensor z = kiln::test::randomTensor({batch, 32}, 7);
  kiln::rt::Tensor got = model.forward(z);
  ASSERT_EQ(got.shape(), (std::vector<int64_t>{batch, 784}));

  auto &p = model.params();
  Matrix h = kiln::test::relu(kiln::test::linear(kiln::test::toMatrix(z),
                                                 p.get("decoder.0.weight"),
                                                 p.get("decoder.0.bias")));
  h = kiln::test::relu(kiln::test::linear(h, p.get("decoder.2.weight"),
                                          p.get("decoder.2.bias")));
  Matrix want =
      kiln::test::linear(h, p.get("decoder.4.weight"), p.get("decoder.4.bias"));
  EXPECT_LT(kiln::test::relativeError(got, want), 1e-5) << "batch " << batch;
}

// 1, a non-multiple of the vector width (16 floats), the canonical batch,
// and one past it.
INSTANTIATE_TEST_SUITE_P(Batches, MlpForward,
                         ::testing::Values(1, 7, 128, 129));

TEST(MlpForward, BatchSizesShareOneSession) {
  // The arena grows and shrinks across calls without corrupting results.
  kiln::models::mlp::Model model(3);
  kiln::rt::Tensor big = kiln::test::randomTensor({64, 32}, 1);
  kiln::rt::Tensor small = kiln::test::randomTensor({2, 32}, 2);
  kiln::rt::Tensor first = model.forward(small);
  model.forward(big);
  kiln::rt::Tensor again = model.forward(small);
  EXPECT_EQ(std::vector<float>(first.values().begin(), first.values().end()),
            std::vector<float>(again.values().begin(), again.values().end()));
}

TEST(MlpForward, WrongInputShapeIsAClearError) {
  kiln::models::mlp::Model model(3);
  kiln::rt::Tensor bad = kiln::test::randomTensor({4, 31}, 1);
  try {
    model.forward(bad);
    FAIL() << "expected an error";
  } catch (const kiln::rt::Error &e) {
    EXPECT_NE(std::string(e.what()).find("[4, 31]"), std::string::npos)
        << e.what();
  }
}

} // namespace
