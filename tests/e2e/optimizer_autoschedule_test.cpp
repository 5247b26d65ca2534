// The optimizer cases (optimizer_cases.h) on models/mlp_train.cpp built
// under each autoscheduler. The updates' shapes are the parameters', static,
// so their autoscheduled kernels run here; the forward and backward, at a
// batch below the estimates, run their hand-scheduled twins.
#include "mlp_train_adams2019.h"
#include "mlp_train_mullapudi2016.h"
#include "optimizer_cases.h"

namespace kiln::test::optimizer {
namespace {

class Adams2019 : public ::testing::TestWithParam<Case> {};
TEST_P(Adams2019, MatchesPyTorchFormulas) {
  expectMatchesPyTorch<kiln::models::mlp_train_adams2019::Model>(GetParam());
}
INSTANTIATE_TEST_SUITE_P(Kinds, Adams2019, ::testing::ValuesIn(cases()),
                         caseName);

class Mullapudi2016 : public ::testing::TestWithParam<Case> {};
TEST_P(Mullapudi2016, MatchesPyTorchFormulas) {
  expectMatchesPyTorch<kiln::models::mlp_train_mullapudi2016::Model>(
      GetParam());
}
INSTANTIATE_TEST_SUITE_P(Kinds, Mullapudi2016, ::testing::ValuesIn(cases()),
                         caseName);

} // namespace
} // namespace kiln::test::optimizer
