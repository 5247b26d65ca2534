// Training end to end on a tiny MLP (models/mlp_train.cpp), built as the
// CLI's models are: optimizer_cases.h holds the cases and the reference.
#include "mlp_train.h"
#include "optimizer_cases.h"

namespace kiln::test::optimizer {
namespace {

class Optimizer : public ::testing::TestWithParam<Case> {};

TEST_P(Optimizer, MatchesPyTorchFormulas) {
  expectMatchesPyTorch<kiln::models::mlp_train::Model>(GetParam());
}

INSTANTIATE_TEST_SUITE_P(Kinds, Optimizer, ::testing::ValuesIn(cases()),
                         caseName);

} // namespace
} // namespace kiln::test::optimizer
