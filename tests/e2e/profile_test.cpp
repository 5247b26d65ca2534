// kiln --profile: the time of each kernel a command ran, printed when the
// command ends, on whichever device the test runs (ctest runs it again on
// OpenCL, where each call is waited for before it is timed).
#include "convnet.h"

#include "cli_runner.h"

#include "kiln/runtime/model.h"
#include "kiln/runtime/profile.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace {

using kiln::test::contains;
using kiln::test::run_cli;

struct Row {
  std::string kernel;
  long calls = 0;
  double ms = 0, first_ms = 0, share = 0;
};

// The table's rows: kernel, calls, ms per call, the first call's ms, share.
std::vector<Row> table_rows(const std::string &err) {
  std::vector<Row> rows;
  std::istringstream in(err.substr(err.find("time per kernel")));
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    Row r;
    std::string share;
    if (fields >> r.kernel >> r.calls >> r.ms >> r.first_ms >> share &&
        share.back() == '%') {
      r.share = std::stod(share);
      rows.push_back(r);
    }
  }
  return rows;
}

TEST(Profile, ListsEachKernelOfTheCommandWithItsCalls) {
  kiln::rt::register_model(kiln_model_convnet());
  // conv_bias_relu is one kernel (the convolution, its bias and ReLU fused).
  const auto r =
      run_cli({"run", "convnet", "conv_bias_relu", "-b", "3", "--profile"});
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_TRUE(contains(r.err, "time per kernel (--profile):")) << r.err;
  const std::vector<Row> rows = table_rows(r.err);
  ASSERT_EQ(rows.size(), 1u) << r.err;
  EXPECT_TRUE(contains(rows[0].kernel, "conv_bias_relu")) << r.err;
  EXPECT_EQ(rows[0].calls, 1);
  EXPECT_DOUBLE_EQ(rows[0].share, 100.0);
  // The profiler lives as long as the command.
  EXPECT_EQ(kiln::rt::Profiler::active(), nullptr);

  // Before the command's name too; a train entry's kernels, each once per
  // step, their shares adding up to the whole.
  const auto t = run_cli({"--profile", "run", "convnet", "train", "-b", "2"});
  ASSERT_EQ(t.code, 0) << t.err;
  const std::vector<Row> train = table_rows(t.err);
  ASSERT_GT(train.size(), 1u) << t.err;
  double total = 0;
  for (const Row &row : train) {
    EXPECT_EQ(row.calls, 1) << row.kernel;
    EXPECT_TRUE(contains(row.kernel, "_train_")) << row.kernel;
    total += row.share;
  }
  EXPECT_NEAR(total, 100.0, 0.1 * double(train.size()));
}

TEST(Profile, NothingIsPrintedWithoutTheFlag) {
  kiln::rt::register_model(kiln_model_convnet());
  const auto r = run_cli({"run", "convnet", "conv_bias_relu", "-b", "3"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_FALSE(contains(r.err, "time per kernel")) << r.err;
}

} // namespace
