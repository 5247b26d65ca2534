// Checkpoints: a full round trip (parameters, optimizer state, random
// counter, TrainState), weights-only files, and the mismatch messages, all
// checked before the session changes.
#include "fake_model.h"
#include "test_files.h"

#include "kiln/runtime/checkpoint.h"
#include "kiln/runtime/safetensors.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <tuple>

using namespace kiln::rt;
using kiln::test::error_of;
using kiln::test::TempDir;

namespace {

std::vector<float> values(const Tensor &t) {
  return {t.values().begin(), t.values().end()};
}

class Checkpoint : public ::testing::Test {
protected:
  TempDir dir;
  std::filesystem::path file = dir / "ckpt.safetensors";
  std::string p = file.string();

  // A session whose tensors all differ from a fresh one's.
  static Session trained() {
    Session s(kiln_model_fake(), 7);
    for (size_t i = 0; i < s.params().size(); ++i)
      for (float &v : s.params().at(i).values())
        v += 1.25f * static_cast<float>(i + 1);
    s.set_random_counter(123);
    return s;
  }

  // check_checkpoint_fits (kiln fid, before it samples) refuses `file`
  // from its header alone, with load_checkpoint's message.
  void expect_header_refusal(Session &s) {
    const std::string loading = error_of([&] { load_checkpoint(file, s); });
    EXPECT_FALSE(loading.empty());
    EXPECT_EQ(error_of([&] { check_checkpoint_fits(file, s.model()); }),
              loading);
  }

  // Writes a file with the given tensors (shape from the model unless
  // overridden) and metadata.
  void write(std::vector<std::pair<std::string, std::vector<int64_t>>> tensors,
             Metadata meta) {
    std::vector<Tensor> storage;
    for (auto &[name, shape] : tensors)
      storage.emplace_back(shape);
    std::vector<TensorRef> refs;
    for (size_t i = 0; i < tensors.size(); ++i)
      refs.push_back({tensors[i].first, &storage[i]});
    write_safetensors(file, refs, meta);
  }
};

TEST_F(Checkpoint, RoundTripRestoresEverything) {
  Session a = trained();
  TrainState state;
  state.step = 40;
  state.epoch = 2;
  state.position = 3;
  state.batch_size = 128;
  state.data_seed = 99;
  state.entry = "train_step";
  state.weight_decay = 0.05;
  state.clip_grad_norm = 2.5;
  save_checkpoint(file, a, state);

  // The stored names, in ModelDesc order, and the metadata.
  const SafetensorsFile f = read_safetensors(file);
  ASSERT_EQ(f.tensors.size(), 3u);
  EXPECT_EQ(f.tensors[0].name, "linear.bias");
  EXPECT_EQ(f.tensors[2].name, "affine.step");
  EXPECT_EQ(f.tensors[2].tensor.rank(), 0);
  EXPECT_EQ(*f.meta("format"), "kiln-checkpoint");
  EXPECT_EQ(*f.meta("format_version"), "1");
  EXPECT_EQ(*f.meta("model"), "fake");
  EXPECT_EQ(*f.meta("seed"), "7");
  EXPECT_EQ(*f.meta("random_counter"), "123");

  Session b(kiln_model_fake(), 7);
  const TrainState loaded = load_checkpoint(file, b);
  for (size_t i = 0; i < a.params().size(); ++i)
    EXPECT_EQ(values(a.params().at(i)), values(b.params().at(i))) << i;
  EXPECT_EQ(b.random_counter(), 123u);
  EXPECT_TRUE(loaded.has_optimizer_state);
  EXPECT_EQ(loaded.step, 40);
  EXPECT_EQ(loaded.epoch, 2);
  EXPECT_EQ(loaded.position, 3);
  EXPECT_EQ(loaded.batch_size, 128);
  EXPECT_EQ(loaded.seed, 7u);
  EXPECT_EQ(loaded.data_seed, 99u);
  EXPECT_EQ(loaded.random_counter, 123u);
  EXPECT_EQ(loaded.entry, "train_step");
  EXPECT_EQ(loaded.weight_decay, 0.05);
  EXPECT_EQ(loaded.clip_grad_norm, 2.5);
  EXPECT_FALSE(loaded.lr); // not given: the model's

  const CheckpointInfo info = read_checkpoint_info(file);
  EXPECT_EQ(info.model, "fake");
  EXPECT_EQ(info.state.step, 40);
  EXPECT_EQ(info.state.seed, 7u);
}

TEST_F(Checkpoint, WeightsOnlyLoadParametersAndLeaveState) {
  Session a = trained();
  save_weights(file, a);
  const SafetensorsFile f = read_safetensors(file);
  ASSERT_EQ(f.tensors.size(), 2u); // no affine.step
  EXPECT_EQ(*f.meta("content"), "weights");

  Session b(kiln_model_fake(), 0);
  b.set_random_counter(5);
  const TrainState loaded = load_checkpoint(file, b);
  EXPECT_FALSE(loaded.has_optimizer_state);
  EXPECT_EQ(values(b.params().get("embed.weight")),
            values(a.params().get("embed.weight")));
  EXPECT_EQ(b.params().get("affine.step").data()[0], 0.0f); // untouched
  EXPECT_EQ(b.random_counter(), 5u);
}

TEST_F(Checkpoint, ForeignWeightsWithoutMetadataLoad) {
  // What safetensors.torch.save_file(model.state_dict()) would write.
  write({{"linear.bias", {3}}, {"embed.weight", {4, 3}}}, {});
  Session s(kiln_model_fake(), 0);
  EXPECT_NO_THROW(check_checkpoint_fits(file, kiln_model_fake()));
  EXPECT_FALSE(load_checkpoint(file, s).has_optimizer_state);
  EXPECT_EQ(s.params().get("linear.bias").data()[0], 0.0f);
}

TEST_F(Checkpoint, OtherModelIsRejected) {
  write({{"linear.bias", {3}}, {"embed.weight", {4, 3}}},
        {{"format", "kiln-checkpoint"},
         {"format_version", "1"},
         {"model", "gan"},
         {"content", "weights"}});
  Session s(kiln_model_fake(), 0);
  EXPECT_EQ(error_of([&] { load_checkpoint(file, s); }),
            p + ": is a checkpoint of model 'gan', not 'fake'");
  expect_header_refusal(s);
}

TEST_F(Checkpoint, MismatchesAreListedAndNothingChanges) {
  write({{"linear.bias", {4}}, {"extra.weight", {2}}, {"other", {1}}}, {});
  Session s(kiln_model_fake(), 0);
  const std::vector<float> before = values(s.params().get("linear.bias"));
  EXPECT_EQ(error_of([&] { load_checkpoint(file, s); }),
            p + ": does not match model fake (a weights file must hold every "
                "parameter and nothing else):\n"
                "  missing (1): embed.weight\n"
                "  not in the model (2): extra.weight, other\n"
                "  wrong shape (1): linear.bias is [4] in the file but [3] in "
                "the model");
  expect_header_refusal(s);
  EXPECT_EQ(values(s.params().get("linear.bias")), before);
}

TEST_F(Checkpoint, IntegerParametersAreRejectedAndNothingChanges) {
  Session s(kiln_model_fake(), 0);
  const Tensor bias = Tensor::of_ints({3}, {1, 2, 3});
  const Tensor embed = s.params().get("embed.weight");
  const std::vector<TensorRef> tensors = {{"linear.bias", &bias},
                                          {"embed.weight", &embed}};
  write_safetensors(file, tensors);
  const std::vector<float> before = values(s.params().get("linear.bias"));
  EXPECT_EQ(error_of([&] { load_checkpoint(file, s); }),
            p + ": does not match model fake (a weights file must hold every "
                "parameter and nothing else):\n"
                "  wrong type (1): linear.bias holds integers in the file "
                "(i32); parameters are floats");
  expect_header_refusal(s);
  EXPECT_EQ(values(s.params().get("linear.bias")), before);
}

TEST_F(Checkpoint, FullCheckpointNeedsTheState) {
  Session a = trained();
  save_checkpoint(file, a, TrainState{});
  // The same metadata, without the state tensor.
  SafetensorsFile f = read_safetensors(file);
  std::vector<TensorRef> refs = {
      {"linear.bias", &f.find("linear.bias")->tensor},
      {"embed.weight", &f.find("embed.weight")->tensor}};
  write_safetensors(file, refs, f.metadata);
  Session b(kiln_model_fake(), 7);
  EXPECT_EQ(error_of([&] { load_checkpoint(file, b); }),
            p + ": does not match model fake (a checkpoint must hold every "
                "parameter and optimizer state tensor):\n"
                "  missing (1): affine.step");
  expect_header_refusal(b);
  EXPECT_EQ(b.random_counter(), 0u);
}

TEST_F(Checkpoint, StateTensorsInAWeightsFileAreExtra) {
  write({{"linear.bias", {3}}, {"embed.weight", {4, 3}}, {"affine.step", {}}},
        {});
  Session s(kiln_model_fake(), 0);
  EXPECT_EQ(error_of([&] { load_checkpoint(file, s); }),
            p + ": does not match model fake (a weights file must hold every "
                "parameter and nothing else):\n"
                "  not in the model (1): affine.step");
  expect_header_refusal(s);
}

TEST_F(Checkpoint, BadMetadata) {
  write({{"linear.bias", {3}}, {"embed.weight", {4, 3}}},
        {{"format", "kiln-checkpoint"}, {"format_version", "2"}});
  Session s(kiln_model_fake(), 0);
  EXPECT_EQ(error_of([&] { load_checkpoint(file, s); }),
            p + ": checkpoint format version 2; this kiln reads version 1");
  write({{"linear.bias", {3}}, {"embed.weight", {4, 3}}, {"affine.step", {}}},
        {{"format", "kiln-checkpoint"},
         {"format_version", "1"},
         {"model", "fake"},
         {"content", "checkpoint"},
         {"step", "x"}});
  EXPECT_EQ(error_of([&] { read_checkpoint_info(file); }),
            p + ": metadata 'step' is 'x', not an integer");
  // A run-time hyperparameter out of its range (a clipping norm of 0 would
  // zero every gradient).
  for (auto [key, value, why] :
       {std::tuple{"weight_decay", "-0.1", "below 0"},
        std::tuple{"clip_grad_norm", "0", "not above 0"},
        std::tuple{"weight_decay", "nan", "not a finite number"}}) {
    write({{"linear.bias", {3}}, {"embed.weight", {4, 3}}, {"affine.step", {}}},
          {{"format", "kiln-checkpoint"},
           {"format_version", "1"},
           {"model", "fake"},
           {"content", "checkpoint"},
           {"step", "1"},
           {"epoch", "0"},
           {"position", "1"},
           {"batch_size", "8"},
           {"seed", "0"},
           {"data_seed", "0"},
           {"random_counter", "0"},
           {key, value}});
    EXPECT_EQ(error_of([&] { read_checkpoint_info(file); }),
              fmt::format("{}: metadata '{}' is '{}', {}", p, key, value, why))
        << key << " " << value;
  }
  write({}, {{"format", "pickle"}});
  EXPECT_EQ(error_of([&] { read_checkpoint_info(file); }),
            p + ": metadata format is 'pickle', not 'kiln-checkpoint'");
}

} // namespace
