// The kiln CLI driven in-process against the fake model: output and exit
// codes. (The real executable is smoke-tested by ctest; see CMakeLists.txt.)
#include "fake_model.h"

#include "cli_runner.h"

#include "kiln/runtime/device.h"
#include "kiln/runtime/model.h"
#include "kiln/runtime/safetensors.h"
#include "test_files.h"

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

namespace {

using Result = kiln::test::CliResult;
using kiln::test::contains;

Result run_kiln(std::vector<std::string> args) {
  kiln::rt::register_model(kiln_model_fake());
  return kiln::test::run_cli(std::move(args));
}

} // namespace

TEST(Cli, ListShowsModelsAndEntries) {
  const Result r = run_kiln({"list"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "fake\n")) << r.out;
  EXPECT_TRUE(contains(r.out, "  affine (infer): x [batch, 3] -> y [batch, 3]"))
      << r.out;
  EXPECT_TRUE(contains(
      r.out,
      "  pair (infer): a [batch, 3], b [batch, seq] -> out [batch, seq]"))
      << r.out;
}

TEST(Cli, InfoShowsParamsAndTotal) {
  const Result r = run_kiln({"info", "fake"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "linear.bias")) << r.out;
  EXPECT_TRUE(contains(r.out, "normal(mean 0, std 0.02)")) << r.out;
  EXPECT_TRUE(contains(r.out, "total: 15 scalars")) << r.out;
  EXPECT_TRUE(contains(r.out, "GPU kernels: none\n")) << r.out;
}

TEST(Cli, RunPrintsShapesValuesAndStats) {
  const Result r =
      run_kiln({"run", "fake", "affine", "--batch", "2", "--seed", "3"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "input x: [2, 3] ~ N(0, 1)")) << r.out;
  EXPECT_TRUE(contains(r.out, "output y: [2, 3]")) << r.out;
  EXPECT_TRUE(contains(r.out, "  values: ")) << r.out;
  EXPECT_TRUE(contains(r.out, "  mean ")) << r.out;
}

TEST(Cli, RunIsDeterministicForASeed) {
  auto values = [](const char *seed) {
    const Result r = run_kiln({"run", "fake", "affine", "--seed", seed});
    return r.out.substr(0, r.out.find("time:"));
  };
  EXPECT_EQ(values("5"), values("5"));
  EXPECT_NE(values("5"), values("6"));
}

TEST(Cli, DimOverridesOneSymbol) {
  const Result r =
      run_kiln({"run", "fake", "pair", "-b", "2", "--dim", "seq=5"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "output out: [2, 5]")) << r.out;
  const Result bad = run_kiln({"run", "fake", "pair", "--dim", "time=5"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_TRUE(contains(bad.err, "fake.pair has no symbol 'time'; symbols: "
                                "batch, seq"))
      << bad.err;
  EXPECT_EQ(run_kiln({"run", "fake", "pair", "--dim", "seq"}).code, 2);
}

// An integer output is printed and written as integers (I32).
TEST(Cli, RunPrintsAndWritesIntegerOutputs) {
  kiln::test::TempDir dir;
  const kiln::rt::Tensor x({2, 3}, std::vector<float>{0, 5, 1, 7, 2, 3});
  const std::string in = (dir / "x.safetensors").string();
  const std::string out = (dir / "ids.safetensors").string();
  kiln::rt::write_safetensors(in, std::vector<kiln::rt::TensorRef>{{"x", &x}});
  const Result r =
      run_kiln({"run", "fake", "argmax", "--inputs", in, "-o", out});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "output ids: [2] i32\n  values: 1, 0\n"))
      << r.out;
  const kiln::rt::SafetensorsFile f = kiln::rt::read_safetensors(out);
  ASSERT_EQ(f.tensors.size(), 1u);
  EXPECT_EQ(f.tensors[0].tensor.dtype(), kiln::rt::DType::i32);
  EXPECT_EQ(f.tensors[0].tensor.ints()[0], 1);
  EXPECT_EQ(f.tensors[0].tensor.ints()[1], 0);
  const Result info = run_kiln({"info", "fake"});
  EXPECT_TRUE(contains(info.out, "ids [batch] i32")) << info.out;
}

TEST(Cli, UnknownModelListsModels) {
  const Result r = run_kiln({"run", "nope", "affine"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "unknown model 'nope'; models: ")) << r.err;
  EXPECT_TRUE(contains(r.err, "fake")) << r.err;
  EXPECT_EQ(run_kiln({"info", "nope"}).code, 2);
}

TEST(Cli, UnknownOrMissingEntryListsEntries) {
  Result r = run_kiln({"run", "fake", "forward"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "fake has no entry point 'forward'; entry "
                              "points: affine, pair, wrong_shape, failing"))
      << r.err;
  r = run_kiln({"run", "fake"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "missing ENTRY for fake; entry points:"))
      << r.err;
}

TEST(Cli, UnknownFlagShowsTheFlags) {
  const Result r = run_kiln({"run", "fake", "affine", "--bach", "3"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "--bach")) << r.err;
  EXPECT_TRUE(contains(r.err, "--batch")) << r.err; // the help of `run`
}

TEST(Cli, BadFlagValuesAreUsageErrors) {
  EXPECT_EQ(run_kiln({"run", "fake", "affine", "--batch", "0"}).code, 2);
  EXPECT_EQ(run_kiln({"run", "fake", "affine", "--batch", "x"}).code, 2);
  EXPECT_EQ(run_kiln({"run", "fake", "affine", "--threads", "-1"}).code, 2);
}

TEST(Cli, UnknownOrMissingCommand) {
  EXPECT_EQ(run_kiln({"train"}).code, 2);
  const Result r = run_kiln({});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "missing command")) << r.err;
}

TEST(Cli, HelpOnEveryLevel) {
  for (auto args : std::vector<std::vector<std::string>>{{"--help"},
                                                         {"list", "--help"},
                                                         {"info", "--help"},
                                                         {"run", "--help"}}) {
    const Result r = run_kiln(args);
    EXPECT_EQ(r.code, 0) << args[0];
    EXPECT_TRUE(contains(r.out, "Usage")) << r.out;
  }
  EXPECT_TRUE(contains(run_kiln({"run", "--help"}).out, "--seed"));
}

TEST(Cli, DeviceIsCheckedAndNamed) {
  const Result bad = run_kiln({"run", "fake", "affine", "--device", "tpu"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_TRUE(contains(bad.err, "--device")) << bad.err;
  EXPECT_TRUE(contains(bad.err, "cuda")) << bad.err;
  // The fake model has no GPU kernels: refused by name, whatever the
  // machine has.
  const Result gpu = run_kiln({"run", "fake", "affine", "--device", "cuda"});
  EXPECT_EQ(gpu.code, 1);
  EXPECT_TRUE(contains(gpu.err, "--device cuda: model fake was built "
                                "without CUDA kernels"))
      << gpu.err;
  const Result cl = run_kiln({"run", "fake", "affine", "--device", "opencl"});
  EXPECT_EQ(cl.code, 1);
  EXPECT_TRUE(contains(cl.err, "--device opencl: model fake was built "
                               "without OpenCL kernels"))
      << cl.err;
  // The option held for that command only.
  EXPECT_EQ(kiln::rt::default_device(), kiln::rt::Device::cpu);
  EXPECT_EQ(run_kiln({"run", "fake", "affine"}).code, 0);
}

TEST(Cli, RuntimeFailureExitsOne) {
  const Result r = run_kiln({"run", "fake", "failing"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "kernel fake_failing failed")) << r.err;
}
