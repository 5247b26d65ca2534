// Checkpoints: a session's tensors and the position of training, in one
// safetensors file (DESIGN.md decision 10).
//
// Every tensor of the ParamStore is stored under its ModelDesc name
// ("decoder.0.weight", "decoder.0.weight.exp_avg", "train_step.step"), in
// ModelDesc order, F32, in the model's own layout (PyTorch's: Linear weights
// are [out, in]). `__metadata__` holds the model name and the TrainState
// (kCheckpointFormat, version kCheckpointVersion), all as strings.
//
// Two kinds of file load:
//  - a full checkpoint: every tensor, parameters and optimizer state. It
//    restores the session completely, including the in-graph random
//    counter, so training resumes bit for bit.
//  - weights only: exactly the role==parameter tensors (save_weights, or a
//    PyTorch state_dict saved with safetensors). It sets the parameters for
//    inference and leaves optimizer state and the random counter as they
//    are; it cannot resume training.
// Anything else (a missing or extra tensor, a wrong shape, some but not all
// state tensors, another model's name) is rejected before the session is
// touched, with a message listing every difference; so is a tensor that
// holds NaN or an infinity (a diverged run's), naming the first.
#pragma once

#include "kiln/runtime/lr_schedule.h"
#include "kiln/runtime/session.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace kiln::rt {

inline constexpr const char *kCheckpointFormat = "kiln-checkpoint";
inline constexpr int kCheckpointVersion = 1;

// Where training stands. A step is one call of the train entry point.
struct TrainState {
  int64_t step = 0;       // steps done
  int64_t epoch = 0;      // epoch of the next batch (0-based)
  int64_t position = 0;   // batches of that epoch already done
  int64_t batch_size = 0; // data order depends on it
  uint64_t data_seed = 0; // the Batcher's shuffle seed
  std::string entry;      // the train entry point ("train_step")
  // The learning-rate schedule the run follows and the rate that replaced
  // the model's (--lr; none: the model's), so that a resumed run follows
  // them. A constant schedule stores no length (it has no use for one).
  // has_schedule is false for checkpoints written before kiln stored it.
  bool has_schedule = false;
  LrSchedule schedule;
  std::optional<double> lr;
  // The weight decay and gradient-clipping norm that replaced the model's
  // (--weight-decay, --clip-grad-norm; none: the model's), kept by a
  // resumed run like lr.
  std::optional<double> weight_decay, clip_grad_norm;
  // Filled from the session by save_checkpoint and by load_checkpoint (for
  // a full checkpoint): the seed the session was built with and the number
  // of random draws so far (Session::random_counter()).
  uint64_t seed = 0;
  uint64_t random_counter = 0;
  // False for a weights-only file: only the parameters were loaded.
  bool has_optimizer_state = true;
  // Set by load_checkpoint when the file held no moving averages PARAM.ema
  // (written before the model kept them): they start from its weights.
  bool ema_from_weights = false;
};

// Writes every parameter and state tensor of `session` and `state` (its
// seed and random_counter fields are taken from the session) atomically.
void save_checkpoint(const std::filesystem::path &path, const Session &session,
                     const TrainState &state);

// Writes the role==parameter tensors only, with the model name: weights to
// share, for inference.
void save_weights(const std::filesystem::path &path, const Session &session);

// Checks the file against the session's model (model name, and names and
// shapes of the tensors, exactly, except that a checkpoint may lack the
// moving averages PARAM.ema: they are set to PARAM, and ema_from_weights
// says so), then copies the tensors in. For a full
// checkpoint it also sets the session's random counter and returns the
// stored TrainState; for weights only it returns a TrainState with
// has_optimizer_state = false and the rest zero. For a bit-identical resume
// the session must have been built with the returned seed
// (read_checkpoint_state() tells it without loading the data).
TrainState load_checkpoint(const std::filesystem::path &path, Session &session);

// The stored TrainState and model name from the header alone.
struct CheckpointInfo {
  std::string model; // empty when the file does not say (foreign weights)
  TrainState state;
};
CheckpointInfo read_checkpoint_info(const std::filesystem::path &path);

// Throws Error, reading the header only, when load_checkpoint would refuse
// the file at `path` for `model` before reading any value: a checkpoint of
// another model, or tensors whose names, shapes or types do not match.
// (A value that is not finite is found by load_checkpoint alone.)
void check_checkpoint_fits(const std::filesystem::path &path,
                           const ModelDesc &model);

} // namespace kiln::rt
