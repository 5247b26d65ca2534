// What a careless user gives kiln, and what it must answer: flags parsed
// strictly (seeds, empty values, totals that overflow) and numbers that are
// no numbers (a diverged checkpoint, NaN pixels) refused with a message
// that names them, the exit status of a usage error (2) or a failure (1),
// and nothing written.
#include "fake_vae_model.h"
#include "test_files.h"

#include "cli_runner.h"

#include "kiln/runtime/safetensors.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace {

using kiln::test::contains;
using kiln::test::TempDir;
using Result = kiln::test::CliResult;

class BadInput : public ::testing::Test {
protected:
  TempDir dir;
  std::string data = (dir / "data").string();
  std::string ckpt = (dir / "run/checkpoint.safetensors").string();

  void SetUp() override {
    kiln::rt::register_model(kiln_model_fake_vae());
    kiln::test::write_fake_fashion_mnist(dir / "data", 16, 8);
  }

  Result kiln(std::vector<std::string> args) {
    return kiln::test::run_cli(std::move(args));
  }

  void expect_refused(std::vector<std::string> args, int code,
                      const std::string &message) {
    const Result r = kiln(args);
    std::string line;
    for (const std::string &a : args)
      line += " " + a;
    EXPECT_EQ(r.code, code) << "kiln" << line << "\n" << r.err;
    EXPECT_TRUE(contains(r.err, message)) << "kiln" << line << "\n" << r.err;
  }

  // A trained checkpoint whose tensor `name` holds `value` at index 1.
  void poison(const std::string &name, float value) {
    kiln::rt::SafetensorsFile file = kiln::rt::read_safetensors(ckpt);
    std::vector<kiln::rt::TensorRef> refs;
    for (kiln::rt::NamedTensor &t : file.tensors) {
      if (t.name == name)
        t.tensor.data()[1] = value;
      refs.push_back({t.name, &t.tensor});
    }
    kiln::rt::write_safetensors(ckpt, refs, file.metadata);
  }
};

TEST_F(BadInput, SeedsAreIntegersFromZeroTo2To64) {
  for (const char *seed : {"-1", "18446744073709551616", "1x", "0x10", " 3"})
    for (const char *flag : {"--seed", "--data-seed"})
      expect_refused({"train", "fake_vae", "--data", data, "--steps", "1",
                      "--batch", "8", "-o", (dir / "never").string(), flag,
                      seed},
                     2, std::string("is not a seed: an integer from 0 to "));
  EXPECT_FALSE(std::filesystem::exists(dir / "never"));
  const Result r =
      kiln({"train", "fake_vae", "--data", data, "--steps", "1", "--batch", "8",
            "-o", (dir / "run").string(), "--seed", "18446744073709551615"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "seed 18446744073709551615")) << r.out;
}

TEST_F(BadInput, EmptyValuesAndOverflowingTotalsAreRefused) {
  for (const char *flag : {"--entry", "--data", "--out", "--resume"})
    expect_refused({"train", "fake_vae", "--steps", "1", flag, ""}, 2,
                   "an empty value is no value");
  expect_refused({"sample", "fake_vae", "-c", "", "-o", "x.png"}, 2,
                 "an empty value is no value");
  expect_refused({"train", "fake_vae", "--data", data, "--batch", "8",
                  "--epochs", "9223372036854775807", "-o",
                  (dir / "never").string()},
                 2, "--epochs 9223372036854775807: more than");
  EXPECT_FALSE(std::filesystem::exists(dir / "never"));
}

TEST_F(BadInput, ADivergedCheckpointIsRefusedEverywhere) {
  ASSERT_EQ(kiln({"train", "fake_vae", "--data", data, "--steps", "2",
                  "--batch", "8", "-o", (dir / "run").string()})
                .code,
            0);
  for (float value : {std::nanf(""), std::numeric_limits<float>::infinity()}) {
    poison("dec.weight", value);
    const std::string held = ": tensor 'dec.weight' holds " +
                             std::string(std::isnan(value) ? "nan" : "inf") +
                             " at index 1 (1 of its";
    expect_refused({"eval", "fake_vae", "-c", ckpt, "--data", data}, 1, held);
    expect_refused(
        {"sample", "fake_vae", "-c", ckpt, "-o", (dir / "s.png").string()}, 1,
        held);
    expect_refused(
        {"train", "fake_vae", "--data", data, "--resume", ckpt, "--steps", "3"},
        1, held);
    EXPECT_FALSE(std::filesystem::exists(dir / "s.png"));
  }
}

// Files that are no files, metadata that contradicts itself, data too
// small to train on.
TEST_F(BadInput, FifosEditedMetadataAndTooLittleData) {
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
  const std::string fifo = (dir / "fifo").string();
  expect_refused({"eval", "fake_vae", "-c", fifo, "--data", data}, 1,
                 fifo + ": is a FIFO; kiln reads regular files only");
  expect_refused({"train", "fake_vae", "--resume", fifo}, 1,
                 fifo + ": is a FIFO; kiln reads regular files only");
  expect_refused({"train", "fake_vae", "--data", fifo + "," + fifo}, 1,
                 fifo + ": is a FIFO; kiln reads regular files only");

  ASSERT_EQ(kiln({"train", "fake_vae", "--data", data, "--steps", "3",
                  "--batch", "8", "-o", (dir / "run").string()})
                .code,
            0);
  kiln::rt::SafetensorsFile file = kiln::rt::read_safetensors(ckpt);
  for (auto &[key, value] : file.metadata)
    if (key == "epoch")
      value = "4000000000";
  std::vector<kiln::rt::TensorRef> refs;
  for (const kiln::rt::NamedTensor &t : file.tensors)
    refs.push_back({t.name, &t.tensor});
  kiln::rt::write_safetensors(ckpt, refs, file.metadata);
  expect_refused(
      {"train", "fake_vae", "--data", data, "--resume", ckpt, "--steps", "5"},
      2,
      "says step 3 is epoch 4000000000, batch 1, but an epoch of "
      "this data is 2 batches of 8");

  expect_refused({"train", "fake_vae", "--data", data, "--batch", "32", "-o",
                  (dir / "small").string()},
                 1,
                 "batch size 32 must be between 1 and the number of "
                 "examples (16)");
  kiln::test::write_fake_fashion_mnist(dir / "empty", 8, 0);
  expect_refused(
      {"eval", "fake_vae", "-c", ckpt, "--data", (dir / "empty").string()}, 1,
      "t10k-images-idx3-ubyte.gz: holds no images ([0, 28, 28])");
}

TEST_F(BadInput, NanPixelsAreNoImages) {
  ASSERT_EQ(kiln({"train", "fake_vae", "--data", data, "--steps", "1",
                  "--batch", "8", "-o", (dir / "run").string()})
                .code,
            0);
  kiln::rt::Tensor images({2, 784});
  images.data()[784 + 3] = std::nanf("");
  const std::string file = (dir / "nan.safetensors").string();
  const kiln::rt::TensorRef ref{"x", &images};
  kiln::rt::write_safetensors(file, std::span(&ref, 1));
  expect_refused({"score", "fake_vae", "-c", ckpt, "--input", file}, 1,
                 "tensor 'x': pixel 3 of image 1 is nan; kiln takes pixels "
                 "in [0, 1]");
  images.data()[784 + 3] = 2.0f;
  kiln::rt::write_safetensors(file, std::span(&ref, 1));
  expect_refused({"score", "fake_vae", "-c", ckpt, "--input", file}, 1,
                 "values in [0, 2], but kiln takes pixels in [0, 1]");
}

} // namespace
