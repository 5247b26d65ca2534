// kiln train / eval / sample / reconstruct / encode / score, in-process, on
// the hand-written fake_vae and a small fake Fashion-MNIST: outputs, files,
// exact resume (also after Ctrl-C), and usage errors.
#include "fake_model.h"
#include "fake_vae_model.h"
#include "test_files.h"

#include "cli_runner.h"

#include "run_lock.h"

#include "kiln/runtime/checkpoint.h"
#include "kiln/runtime/fashion_mnist.h"
#include "kiln/runtime/json.h"
#include "kiln/runtime/model.h"
#include "kiln/runtime/png.h"
#include "kiln/runtime/safetensors.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <sstream>
#include <unistd.h>

using kiln::test::read_bytes;
using kiln::test::TempDir;

namespace {

using Result = kiln::test::CliResult;
using kiln::test::contains;

class TrainCli : public ::testing::Test {
protected:
  TempDir dir;
  std::string data = (dir / "data").string();

  void SetUp() override {
    kiln::rt::register_model(kiln_model_fake());
    kiln::rt::register_model(kiln_model_fake_vae());
    kiln::test::write_fake_fashion_mnist(dir / "data", 40, 20);
  }

  Result kiln(std::vector<std::string> args) {
    return kiln::test::run_cli(std::move(args));
  }

  // kiln train fake_vae on the fake data, batch 8 (5 steps per epoch).
  Result train(const std::string &out, std::vector<std::string> more) {
    std::vector<std::string> args = {"train", "fake_vae",          "--data",
                                     data,    "--batch",           "8",
                                     "--out", (dir / out).string()};
    args.insert(args.end(), more.begin(), more.end());
    return kiln(args);
  }

  std::string ckpt(const std::string &run) {
    return (dir / run / "checkpoint.safetensors").string();
  }
};

TEST_F(TrainCli, WritesCheckpointMetricsAndProgress) {
  const Result r = train("run", {"--steps", "6", "--log-every", "2",
                                 "--checkpoint-every", "4", "--seed", "3"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "training fake_vae.train_step: 40 images, batch "
                              "8 (5 steps per epoch), seed 3, data seed 3"))
      << r.out;
  EXPECT_TRUE(contains(r.out, "done: step 6 (epoch 1, batch 1)")) << r.out;
  // Progress on the (non-terminal) error stream every --log-every steps.
  EXPECT_TRUE(contains(r.err, "step 2/6  loss ")) << r.err;
  EXPECT_TRUE(contains(r.err, "step 6/6  loss ")) << r.err;

  std::istringstream metrics(read_bytes(dir / "run" / "metrics.jsonl"));
  std::vector<int64_t> steps;
  for (std::string line; std::getline(metrics, line);) {
    const kiln::rt::Json j = kiln::rt::parse_json(line);
    steps.push_back(*kiln::rt::json_int64(j.at("step")));
    for (const char *key :
         {"epoch", "loss", "recon", "kl", "steps_per_s", "wall_s"})
      EXPECT_TRUE(j.contains(key)) << key << " in " << line;
  }
  EXPECT_EQ(steps, (std::vector<int64_t>{2, 4, 6}));

  const kiln::rt::CheckpointInfo info =
      kiln::rt::read_checkpoint_info(ckpt("run"));
  EXPECT_EQ(info.model, "fake_vae");
  EXPECT_EQ(info.state.step, 6);
  EXPECT_EQ(info.state.epoch, 1);
  EXPECT_EQ(info.state.position, 1);
  EXPECT_EQ(info.state.seed, 3u);
  EXPECT_EQ(info.state.random_counter, 6u); // one draw per step
  const kiln::rt::SafetensorsFile f = kiln::rt::read_safetensors(ckpt("run"));
  EXPECT_EQ(f.find("train_step.step")->tensor.data()[0], 6.0f);
}

// The learning rate is a run-time value (the buffer parameter
// train_step.lr): --lr 0 trains nothing, and --warmup scales it per step,
// as metrics.jsonl records.
TEST_F(TrainCli, LearningRateFlags) {
  const Result frozen = train("frozen", {"--steps", "3", "--lr", "0"});
  ASSERT_EQ(frozen.code, 0) << frozen.err;
  EXPECT_TRUE(contains(frozen.out, "learning rate: train_step 0 (--lr), "
                                   "constant"))
      << frozen.out;
  kiln::rt::Session fresh(kiln_model_fake_vae(), 0);
  const kiln::rt::SafetensorsFile f =
      kiln::rt::read_safetensors(ckpt("frozen"));
  for (const char *name : {"dec.weight", "dec.bias"}) {
    const kiln::rt::Tensor &got = f.find(name)->tensor;
    const kiln::rt::Tensor &init = fresh.params().get(name);
    EXPECT_TRUE(std::equal(got.data(), got.data() + got.numel(), init.data()))
        << name << " moved with lr 0";
  }
  EXPECT_EQ(f.find("train_step.lr"), nullptr) << "buffers are not saved";

  const Result warm =
      train("warm", {"--steps", "4", "--log-every", "1", "--warmup", "4",
                     "--lr-schedule", "cosine", "--lr", "0.02"});
  ASSERT_EQ(warm.code, 0) << warm.err;
  EXPECT_TRUE(contains(warm.out, "learning rate: train_step 0.02 (--lr), "
                                 "cosine to 0 after 4 warmup steps"))
      << warm.out;
  std::istringstream metrics(read_bytes(dir / "warm" / "metrics.jsonl"));
  std::vector<double> lrs;
  for (std::string line; std::getline(metrics, line);)
    lrs.push_back(kiln::rt::parse_json(line).at("lr").get<double>());
  ASSERT_EQ(lrs.size(), 4u);
  for (size_t i = 0; i < 4; ++i)
    EXPECT_DOUBLE_EQ(lrs[i], 0.02 * double(i + 1) / 4) << "step " << i + 1;

  const Result bad = train("bad", {"--steps", "1", "--lr-schedule", "step"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_TRUE(contains(bad.err, "--lr-schedule")) << bad.err;
  // --min-lr means nothing to a constant schedule: refused, not ignored.
  const Result stray = train("stray", {"--steps", "1", "--min-lr", "0.1"});
  EXPECT_EQ(stray.code, 2);
  EXPECT_TRUE(contains(stray.err, "--min-lr is the final rate of "
                                  "--lr-schedule cosine"))
      << stray.err;
}

TEST_F(TrainCli, ResumeIsBitIdentical) {
  ASSERT_EQ(train("straight", {"--steps", "12"}).code, 0);
  ASSERT_EQ(train("resumed", {"--steps", "7"}).code, 0);
  const Result r = kiln({"train", "fake_vae", "--data", data, "--resume",
                         ckpt("resumed"), "--steps", "12"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "resuming from " + ckpt("resumed") +
                                  " at step 7 (epoch 1, batch 2)"))
      << r.out;
  // Same tensors and the same metadata: the files are equal byte for byte.
  EXPECT_EQ(read_bytes(ckpt("straight")), read_bytes(ckpt("resumed")));
  // The metrics file continues: 12 steps at the default --log-every (100)
  // gives one line per run at the last step.
  std::istringstream metrics(read_bytes(dir / "resumed" / "metrics.jsonl"));
  int lines = 0;
  for (std::string line; std::getline(metrics, line);)
    ++lines;
  EXPECT_EQ(lines, 2);
}

TEST_F(TrainCli, CtrlCSavesAndResumesExactly) {
  ASSERT_EQ(train("straight", {"--steps", "9"}).code, 0);
  fake_vae_interrupt_at_step = 4;
  const Result r = train("stopped", {"--steps", "9"});
  fake_vae_interrupt_at_step = 0;
  EXPECT_EQ(r.code, kiln::cli::kExitInterrupted) << r.err;
  EXPECT_TRUE(contains(r.out, "interrupted (SIGINT): stopped after step 4; "
                              "checkpoint "
                              "saved to " +
                                  ckpt("stopped")))
      << r.out;
  EXPECT_TRUE(contains(r.out, "resume with: kiln train fake_vae --resume " +
                                  ckpt("stopped") + " --steps 9"))
      << r.out;
  EXPECT_EQ(kiln::rt::read_checkpoint_info(ckpt("stopped")).state.step, 4);
  ASSERT_EQ(kiln({"train", "fake_vae", "--data", data, "--resume",
                  ckpt("stopped"), "--steps", "9"})
                .code,
            0);
  EXPECT_EQ(read_bytes(ckpt("straight")), read_bytes(ckpt("stopped")));
}

// The learning-rate schedule is the checkpoint's: a cosine run stopped
// halfway and resumed without its flags ends as the straight run does (the
// rate of each step, so the weights, byte for byte); a flag that would
// change the schedule is refused.
TEST_F(TrainCli, ResumeKeepsTheLearningRateSchedule) {
  const std::vector<std::string> schedule = {
      "--steps",       "9",      "--log-every", "1", "--lr",     "0.01",
      "--lr-schedule", "cosine", "--warmup",    "2", "--min-lr", "0.001"};
  ASSERT_EQ(train("straight", schedule).code, 0);
  fake_vae_interrupt_at_step = 4;
  const Result r = train("stopped", schedule);
  fake_vae_interrupt_at_step = 0;
  ASSERT_EQ(r.code, kiln::cli::kExitInterrupted) << r.err;
  for (const std::vector<std::string> &change :
       {std::vector<std::string>{"--lr-schedule", "constant"},
        {"--warmup", "3"},
        {"--min-lr", "0"},
        {"--lr", "0.02"}}) {
    std::vector<std::string> args = {"train",   "fake_vae", "--data",
                                     data,      "--resume", ckpt("stopped"),
                                     "--steps", "9"};
    args.insert(args.end(), change.begin(), change.end());
    const Result refused = kiln(args);
    EXPECT_EQ(refused.code, 2) << change[0];
    EXPECT_TRUE(contains(refused.err, change[0] + " ")) << refused.err;
    EXPECT_TRUE(contains(refused.err, "a resumed run keeps the checkpoint's "
                                      "value"))
        << refused.err;
  }
  const Result resumed =
      kiln({"train", "fake_vae", "--data", data, "--resume", ckpt("stopped"),
            "--steps", "9", "--lr-schedule", "cosine", "--log-every", "1"});
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  EXPECT_TRUE(contains(resumed.out, "learning rate: train_step 0.01 (--lr), "
                                    "cosine to 0.001 after 2 warmup steps"))
      << resumed.out;
  EXPECT_EQ(read_bytes(ckpt("straight")), read_bytes(ckpt("stopped")));
  auto rates = [&](const std::string &run) {
    std::istringstream metrics(read_bytes(dir / run / "metrics.jsonl"));
    std::vector<double> lrs;
    for (std::string line; std::getline(metrics, line);)
      lrs.push_back(kiln::rt::parse_json(line).at("lr").get<double>());
    return lrs;
  };
  EXPECT_EQ(rates("stopped"), rates("straight"));
  EXPECT_EQ(rates("straight").size(), 9u);
  const kiln::rt::TrainState state =
      kiln::rt::read_checkpoint_info(ckpt("stopped")).state;
  ASSERT_TRUE(state.has_schedule);
  EXPECT_EQ(state.schedule.kind, kiln::rt::LrSchedule::Kind::cosine);
  EXPECT_EQ(state.schedule.total, 9);
  EXPECT_EQ(state.schedule.warmup, 2);
  EXPECT_EQ(state.schedule.min_lr, 0.001);
  EXPECT_EQ(state.lr, 0.01);

  // A checkpoint from before kiln stored the schedule: the flags, as given,
  // and a note that says so.
  kiln::rt::SafetensorsFile old = kiln::rt::read_safetensors(ckpt("stopped"));
  kiln::rt::Metadata meta;
  for (const auto &[key, value] : old.metadata)
    if (!key.starts_with("lr"))
      meta.emplace_back(key, value);
  std::vector<kiln::rt::TensorRef> refs;
  for (const kiln::rt::NamedTensor &t : old.tensors)
    refs.push_back({t.name, &t.tensor});
  kiln::rt::write_safetensors(ckpt("stopped"), refs, meta);
  ASSERT_FALSE(
      kiln::rt::read_checkpoint_info(ckpt("stopped")).state.has_schedule);
  const Result legacy = kiln({"train", "fake_vae", "--data", data, "--resume",
                              ckpt("stopped"), "--steps", "10", "--lr", "0.5"});
  ASSERT_EQ(legacy.code, 0) << legacy.err;
  EXPECT_TRUE(contains(legacy.out, ckpt("stopped") +
                                       " holds no learning-rate schedule "
                                       "(written by an older kiln): "
                                       "following the flags as given"))
      << legacy.out;
  EXPECT_TRUE(contains(legacy.out, "learning rate: train_step 0.5 (--lr)"))
      << legacy.out;
}

// SIGTERM (docker stop, systemd, slurm) stops like Ctrl-C; a signal sent
// to the process and then to its group (timeout -s INT) arrives twice at
// once and is one request: the checkpoint is saved either way.
TEST_F(TrainCli, SigtermAndARepeatedSignalSaveToo) {
  ASSERT_EQ(train("straight", {"--steps", "9"}).code, 0);
  for (const auto &[sig, count] :
       {std::pair{SIGTERM, 1}, std::pair{SIGINT, 2}, std::pair{SIGTERM, 2}}) {
    const std::string name =
        "stopped" + std::to_string(sig) + "x" + std::to_string(count);
    fake_vae_interrupt_at_step = 4;
    fake_vae_interrupt_signal = sig;
    fake_vae_interrupt_count = count;
    const Result r = train(name, {"--steps", "9"});
    fake_vae_interrupt_at_step = 0;
    fake_vae_interrupt_signal = SIGINT;
    fake_vae_interrupt_count = 1;
    ASSERT_EQ(r.code, kiln::cli::kExitInterrupted) << name << r.err;
    EXPECT_TRUE(contains(r.out, std::string("interrupted (") +
                                    (sig == SIGTERM ? "SIGTERM" : "SIGINT") +
                                    "): stopped after step 4"))
        << r.out;
    EXPECT_EQ(kiln::rt::read_checkpoint_info(ckpt(name)).state.step, 4);
    ASSERT_EQ(kiln({"train", "fake_vae", "--data", data, "--resume", ckpt(name),
                    "--steps", "9"})
                  .code,
              0);
    EXPECT_EQ(read_bytes(ckpt("straight")), read_bytes(ckpt(name))) << name;
  }
  // Both handlers are gone once training ends.
  struct sigaction now {};
  sigaction(SIGTERM, nullptr, &now);
  EXPECT_EQ(now.sa_handler, SIG_DFL);
}

// A run directory belongs to one run at a time, and its checkpoint is
// replaced only by resuming it or on request.
TEST_F(TrainCli, OneRunPerDirectoryAndNoSilentOverwrite) {
  ASSERT_EQ(train("run", {"--steps", "2"}).code, 0);
  const std::string first = read_bytes(ckpt("run"));
  Result r = train("run", {"--steps", "3", "--seed", "5"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, (dir / "run").string() +
                                  " already holds a checkpoint; resume it "
                                  "with --resume " +
                                  ckpt("run")))
      << r.err;
  EXPECT_EQ(read_bytes(ckpt("run")), first);
  r = train("run", {"--steps", "3", "--seed", "5", "--overwrite"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(kiln::rt::read_checkpoint_info(ckpt("run")).state.seed, 5u);

  // A live run holds the directory: another one stops before writing.
  {
    const kiln::cli::RunLock held(dir / "run");
    const std::string now = read_bytes(ckpt("run"));
    r = kiln({"train", "fake_vae", "--data", data, "--resume", ckpt("run"),
              "--steps", "4"});
    EXPECT_EQ(r.code, 1);
    EXPECT_TRUE(contains(r.err, (dir / "run").string() +
                                    " is in use by another kiln train "
                                    "(process " +
                                    std::to_string(::getpid()) + ")"))
        << r.err;
    EXPECT_EQ(read_bytes(ckpt("run")), now);
  }

  // What a run killed while saving leaves (kiln's own temporaries only) is
  // removed by the next run that holds the directory.
  kiln::test::write_bytes(dir / "run/.checkpoint.safetensors.tmp.Ab3dE9",
                          "partial");
  kiln::test::write_bytes(dir / "run/.checkpoint.safetensors.tmp.other",
                          "not ours");
  kiln::test::write_bytes(dir / "run/notes.txt", "mine");
  r = kiln({"train", "fake_vae", "--data", data, "--resume", ckpt("run"),
            "--steps", "4"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "removed 1 temporary file of a run killed "
                              "while saving"))
      << r.out;
  EXPECT_FALSE(
      std::filesystem::exists(dir / "run/.checkpoint.safetensors.tmp.Ab3dE9"));
  EXPECT_TRUE(
      std::filesystem::exists(dir / "run/.checkpoint.safetensors.tmp.other"));
  EXPECT_TRUE(std::filesystem::exists(dir / "run/notes.txt"));
}

TEST_F(TrainCli, ResumeKeepsTheCheckpointsSettings) {
  ASSERT_EQ(train("run", {"--steps", "3"}).code, 0);
  Result r = kiln({"train", "fake_vae", "--data", data, "--resume", ckpt("run"),
                   "--batch", "4"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "--batch 4 differs from 8 in " + ckpt("run") +
                                  "; a resumed run keeps the checkpoint's "
                                  "value (leave --batch out)"))
      << r.err;
  r = kiln({"train", "fake_vae", "--data", data, "--resume", ckpt("run"),
            "--steps", "2"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "already at step 3: nothing to do for 2 steps"))
      << r.out;
}

TEST_F(TrainCli, UsageErrors) {
  Result r = kiln({"train", "fake", "--data", data});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "fake has no train entry point, so it cannot be "
                              "trained"))
      << r.err;
  r = kiln({"train", "fake_vae", "--entry", "loss"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "fake_vae.loss is an infer entry point; train "
                              "entry points: train_step"))
      << r.err;
  r = kiln({"train", "fake_vae", "--epochs", "1", "--steps", "2"});
  EXPECT_EQ(r.code, 2);
  r = kiln({"sample", "fake", "--checkpoint", "x", "--out", "y.png"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "kiln sample needs an infer entry point that "
                              "consumes noise (and maybe one-hot labels) "
                              "and produces images; fake has "
                              "none"))
      << r.err;
  EXPECT_TRUE(contains(r.err, "fake.affine (x: unspecified -> y: "
                              "unspecified)"))
      << r.err;
  r = kiln({"eval", "fake_vae"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "--checkpoint")) << r.err;
  r = kiln({"train", "--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_TRUE(contains(r.out, "learning rate is the model's\nunless --lr says"))
      << r.out;
}

TEST_F(TrainCli, MissingCheckpointAndCorruptCheckpointFail) {
  Result r = kiln({"eval", "fake_vae", "--data", data, "--checkpoint",
                   (dir / "none.safetensors").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "none.safetensors: cannot open: No such file"))
      << r.err;
  kiln::test::write_bytes(dir / "bad.safetensors", "garbage!garbage!");
  r = kiln({"eval", "fake_vae", "--data", data, "--checkpoint",
            (dir / "bad.safetensors").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "bad.safetensors: header length")) << r.err;
}

TEST_F(TrainCli, EvalSampleReconstructEncodeScore) {
  ASSERT_EQ(train("run", {"--steps", "5"}).code, 0);
  const std::string c = ckpt("run");

  Result r = kiln({"eval", "fake_vae", "--checkpoint", c, "--data", data,
                   "--batch", "7"}); // 20 images: 7 + 7 + 6
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "checkpoint " + c + ": fake_vae at step 5"))
      << r.out;
  EXPECT_TRUE(contains(r.out, "fake_vae.loss over 20 test images (batches of "
                              "7), seed 0:\n  loss   "))
      << r.out;
  EXPECT_TRUE(contains(r.out, "\n  kl     ")) << r.out;

  const std::string png = (dir / "out" / "samples.png").string();
  r = kiln({"sample", "fake_vae", "--checkpoint", c, "--n", "6", "--out", png});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "-> " + png + " (86 x 57 pixels)")) << r.out;
  EXPECT_TRUE(contains(r.out, "samples/s")) << r.out;
  EXPECT_EQ(read_bytes(png).substr(1, 3), "PNG");

  const std::string recon = (dir / "recon.png").string();
  r = kiln({"reconstruct", "fake_vae", "--checkpoint", c, "--data", data, "--n",
            "3", "--out", recon});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "(173 x 28 pixels)")) << r.out;

  const std::string latents = (dir / "latents.safetensors").string();
  r = kiln({"encode", "fake_vae", "--checkpoint", c, "--data", data, "--out",
            latents, "--batch", "6"});
  ASSERT_EQ(r.code, 0) << r.err;
  const kiln::rt::SafetensorsFile f = kiln::rt::read_safetensors(latents);
  EXPECT_EQ(f.find("mu")->tensor.shape(), (std::vector<int64_t>{20, 2}));
  EXPECT_EQ(f.find("logvar")->tensor.shape(), (std::vector<int64_t>{20, 2}));
  EXPECT_EQ(f.find("labels")->tensor.data()[13], 3.0f);
  EXPECT_EQ(*f.meta("split"), "test");

  // Scores do not depend on the batch split (no randomness in `score`).
  r = kiln(
      {"score", "fake_vae", "--checkpoint", c, "--data", data, "--batch", "7"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("index,label,score\n0,0,", 0), 0u) << r.out;
  const std::string csv = (dir / "scores.csv").string();
  ASSERT_EQ(kiln({"score", "fake_vae", "--checkpoint", c, "--data", data,
                  "--batch", "20", "--out", csv})
                .code,
            0);
  EXPECT_EQ(read_bytes(csv), r.out);

  r = kiln({"score", "fake_vae", "--checkpoint", c, "--data", data, "--ood"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "  test           20 images  ")) << r.out;
  EXPECT_TRUE(contains(r.out, "  inverted       20 images  ")) << r.out;
  EXPECT_TRUE(contains(r.out, "  noise          20 images  ")) << r.out;
  EXPECT_TRUE(contains(r.out, "AUROC vs test")) << r.out;

  // --input: the encoded file has several tensors and no 'x'.
  r = kiln({"score", "fake_vae", "--checkpoint", c, "--input", latents});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "several tensors and none named 'x': pick one "
                              "with --tensor; tensors: mu, logvar, labels"))
      << r.err;
  r = kiln({"score", "fake_vae", "--checkpoint", c, "--input", latents,
            "--tensor", "mu"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "tensor 'mu' is [20, 2]; expected [N, 784]"))
      << r.err;
}

// The fake VAE with every entry point renamed and declared in another
// order: the commands find them by what they consume and produce (the
// model's contract), not by name.
const kiln::rt::ModelDesc &renamed_vae() {
  static const kiln::rt::ModelDesc model = [] {
    kiln::rt::ModelDesc m = kiln_model_fake_vae();
    m.name = "renamed_vae";
    std::reverse(m.entries.begin(), m.entries.end());
    for (kiln::rt::EntryDesc &e : m.entries)
      e.name = e.name == "train_step"     ? "fit"
               : e.name == "loss"         ? "nll"
               : e.name == "encode"       ? "embed"
               : e.name == "decode_probs" ? "draw"
               : e.name == "reconstruct"  ? "autoencode"
                                          : "anomaly";
    return m;
  }();
  return model;
}

TEST_F(TrainCli, CommandsFindEntryPointsByTheirContract) {
  kiln::rt::register_model(renamed_vae());
  const std::string run = (dir / "renamed").string();
  // The fake data has 40 images, fewer than the model's batch of 128.
  Result r = kiln({"train", "renamed_vae", "--data", data, "--out", run,
                   "--steps", "3", "--batch", "8"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "training renamed_vae.fit: 40 images, batch 8"))
      << r.out;
  const std::string c = (dir / "renamed" / "checkpoint.safetensors").string();
  r = kiln({"eval", "renamed_vae", "--checkpoint", c, "--data", data});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "renamed_vae.nll over 20 test images")) << r.out;
  r = kiln({"sample", "renamed_vae", "--checkpoint", c, "--n", "4", "--out",
            (dir / "s.png").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "renamed_vae.draw")) << r.out;
  r = kiln({"reconstruct", "renamed_vae", "--checkpoint", c, "--data", data,
            "--out", (dir / "r.png").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "by renamed_vae.autoencode")) << r.out;
  r = kiln({"encode", "renamed_vae", "--checkpoint", c, "--data", data, "--out",
            (dir / "z.safetensors").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  r = kiln({"score", "renamed_vae", "--checkpoint", c, "--data", data});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("index,label,score\n", 0), 0u) << r.out;
  // --entry must fit what the command needs.
  r = kiln({"sample", "renamed_vae", "--checkpoint", c, "--entry", "embed",
            "--out", (dir / "t.png").string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "kiln sample needs an infer entry point that "
                              "consumes noise (and maybe one-hot labels) "
                              "and produces images; "
                              "renamed_vae.embed (x: images in [0, 1] -> mu: "
                              "latent, logvar: latent) does not"))
      << r.err;
}

// --data IMAGES,LABELS: the fake training split's files named directly.
TEST_F(TrainCli, AnIdxPairIsData) {
  const std::string pair =
      (dir / "data" / "train-images-idx3-ubyte.gz").string() + "," +
      (dir / "data" / "train-labels-idx1-ubyte.gz").string();
  Result r = kiln({"train", "fake_vae", "--data", pair, "--batch", "8",
                   "--steps", "2", "--out", (dir / "pair").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "40 images, batch 8")) << r.out;
  // The same images as the directory's train split: the same evaluation.
  const std::string c = (dir / "pair" / "checkpoint.safetensors").string();
  const Result by_pair = kiln({"eval", "fake_vae", "-c", c, "--data", pair});
  const Result by_dir =
      kiln({"eval", "fake_vae", "-c", c, "--data", data, "--split", "train"});
  ASSERT_EQ(by_pair.code, 0) << by_pair.err;
  auto numbers = [](const std::string &out) {
    const size_t begin = out.find("  loss"), end = out.find("time:");
    return out.substr(begin, end - begin);
  };
  EXPECT_EQ(numbers(by_pair.out), numbers(by_dir.out)) << by_pair.out;
  // Images of another size are refused before anything runs.
  kiln::test::write_bytes(
      dir / "small.idx",
      kiln::test::idx_bytes({2, 14, 14}, std::vector<uint8_t>(2 * 196)));
  kiln::test::write_bytes(dir / "small-labels.idx",
                          kiln::test::idx_bytes({2}, {1, 2}));
  r = kiln({"eval", "fake_vae", "-c", c, "--data",
            (dir / "small.idx").string() + "," +
                (dir / "small-labels.idx").string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "images are 14 x 14; kiln feeds 28 x 28 "
                              "(784-pixel) images"))
      << r.err;
}

// A folder of PNG images and a .npy file of floats are data too: the same
// images, in the same order, as the directory's train split evaluate to the
// same numbers (the loss draws noise per row, so order matters).
TEST_F(TrainCli, PngFoldersAndNpyFilesAreData) {
  const kiln::rt::ImageSet train_split =
      kiln::rt::load_fashion_mnist(dir / "data", kiln::rt::Split::train);
  const auto folder = dir / "png";
  std::string floats;
  for (int64_t i = 0; i < train_split.count; ++i) {
    std::filesystem::create_directories(folder);
    kiln::rt::GrayImage image{28, 28, {}};
    image.pixels.assign(train_split.pixels.begin() + i * 784,
                        train_split.pixels.begin() + (i + 1) * 784);
    kiln::rt::write_png(folder / fmt::format("{:03}.png", i), image);
  }
  // numpy.save of the images as float32 [N, 1, 28, 28] in [0, 1].
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': "
                     "(40, 1, 28, 28), }";
  while ((10 + dict.size() + 1) % 64 != 0)
    dict += ' ';
  dict += '\n';
  std::string npy = std::string("\x93NUMPY\x01\x00", 8) +
                    char(dict.size() & 0xff) + char(dict.size() >> 8) + dict;
  for (uint8_t v : train_split.pixels) {
    const float f = kiln::rt::scale_pixel(v, kiln::rt::PixelRange::unit);
    npy.append(reinterpret_cast<const char *>(&f), 4);
  }
  kiln::test::write_bytes(dir / "x.npy", npy);

  Result r = kiln({"train", "fake_vae", "--data", folder.string(), "--batch",
                   "8", "--steps", "2", "--out", (dir / "p").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "40 images, batch 8")) << r.out;
  const std::string c = (dir / "p" / "checkpoint.safetensors").string();
  auto numbers = [](const std::string &out) {
    const size_t begin = out.find("  loss"), end = out.find("time:");
    return out.substr(begin, end - begin);
  };
  const Result by_dir =
      kiln({"eval", "fake_vae", "-c", c, "--data", data, "--split", "train"});
  ASSERT_EQ(by_dir.code, 0) << by_dir.err;
  // A size the model does not take is refused at the first image, before
  // the rest is read (here a corrupt second file never is).
  const auto big = dir / "big";
  std::filesystem::create_directories(big);
  kiln::rt::write_png(big / "a.png",
                      kiln::rt::GrayImage{14, 14, std::vector<uint8_t>(196)});
  kiln::test::write_bytes(big / "b.png", "not a png");
  const Result wrong =
      kiln({"eval", "fake_vae", "-c", c, "--data", big.string()});
  EXPECT_EQ(wrong.code, 2);
  EXPECT_TRUE(contains(wrong.err, "the PNG images of " + big.string() +
                                      ": images are 14 x 14; kiln feeds 28 x "
                                      "28 (784-pixel) images"))
      << wrong.err;
  for (const std::string &source :
       {folder.string(), (dir / "x.npy").string()}) {
    const Result other = kiln({"eval", "fake_vae", "-c", c, "--data", source});
    ASSERT_EQ(other.code, 0) << other.err;
    EXPECT_EQ(numbers(other.out), numbers(by_dir.out)) << other.out;
  }
}

TEST_F(TrainCli, TheModelsBatchIsTheDefault) {
  // fake_vae declares batch 128 (as the real VAE): more than the 40 images
  // of the fake data set, so one epoch has no whole batch.
  const Result r = kiln({"train", "fake_vae", "--data", data, "--out",
                         (dir / "b").string(), "--steps", "1"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "batch size 128 must be between 1 and the "
                              "number of examples (40)"))
      << r.err;
}

TEST_F(TrainCli, WeightsLoadForInference) {
  ASSERT_EQ(train("run", {"--steps", "2"}).code, 0);
  kiln::rt::Session s(kiln_model_fake_vae());
  kiln::rt::load_checkpoint(ckpt("run"), s);
  kiln::rt::save_weights(dir / "weights.safetensors", s);
  const Result r =
      kiln({"score", "fake_vae", "--checkpoint",
            (dir / "weights.safetensors").string(), "--data", data, "--ood"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "weights " +
                                  (dir / "weights.safetensors").string() +
                                  ": fake_vae"))
      << r.out;
  // Resuming training from weights alone is refused.
  const Result t = kiln({"train", "fake_vae", "--data", data, "--resume",
                         (dir / "weights.safetensors").string()});
  EXPECT_EQ(t.code, 2);
  EXPECT_TRUE(contains(t.err, "holds weights only")) << t.err;
}

} // namespace
