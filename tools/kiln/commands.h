// The subcommands of kiln. Each writes its report to `out` and returns an
// exit code; command-line mistakes throw UsageError, runtime failures
// throw kiln::rt::Error.
#pragma once

#include "cli.h"

#include "kiln/runtime/model.h"

#include <cstdint>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::cli {

// A mistake on the command line; the message lists the valid choices.
class UsageError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

// Throw UsageError naming the choices when there is no such model/entry.
const rt::ModelDesc &require_model(const std::string &name);
const rt::EntryDesc &require_entry(const rt::ModelDesc &model,
                                   const std::string &name);

int list_command(std::ostream &out);
int info_command(const std::string &model, std::ostream &out);

struct RunOptions {
  std::string model;
  std::string entry;
  int64_t batch = 4;             // every symbolic dimension...
  std::vector<std::string> dims; // ...unless overridden: "NAME=SIZE"
  uint64_t seed = 0;             // parameters and inputs
  int threads = 0;               // kernel threads; 0: one per core
  int show = 6;                  // values printed per output
  std::string checkpoint;        // weights to load; empty: from --seed
  std::string inputs;            // safetensors of the inputs, by name
  std::string out;               // safetensors to write the outputs to
};
int run_command(const RunOptions &options, std::ostream &out);

// What every command that runs a trained model takes.
struct ModelOptions {
  std::string model;
  std::string checkpoint; // required by all but train
  uint64_t seed = 0;      // the session's seed (in-graph randomness)
  int threads = 0;
  std::string data; // Fashion-MNIST directory; empty: the default
  bool ema = false; // use the checkpoint's moving average of the weights
};

// kiln train: progress goes to `err`, the summary to `out`.
struct TrainOptions {
  std::string model;
  std::string entry;                    // empty: the model's train entry point
  std::optional<int64_t> epochs, steps; // totals, counted from step 0
  std::optional<int64_t> batch;         // default 128, or the checkpoint's
  std::optional<uint64_t> seed, data_seed;
  int threads = 0;
  std::string out; // default runs/MODEL
  std::string resume;
  bool overwrite = false; // replace a checkpoint already in --out
  // Under mpirun: each process trains on its share of every batch and the
  // gradients are averaged (data_parallel.h).
  bool data_parallel = false;
  // With data_parallel: BatchNorm's batch statistics over the whole global
  // batch (summed over MPI) instead of each process's rows.
  bool sync_batchnorm = false;
  int64_t log_every = 100;
  int64_t checkpoint_every = 1000;
  std::string data;
  // Learning rate: the model's per entry point unless --lr; the schedule
  // multiplies in warmup and decays it (rt::LrSchedule). Unset: a new run's
  // defaults (constant, no warmup, 0), a resumed run's checkpoint's.
  std::optional<double> lr;
  std::optional<std::string> lr_schedule; // "constant" or "cosine"
  std::optional<int64_t> warmup;
  std::optional<double> min_lr;
  // A weight decay or clipping norm for every trained entry point compiled
  // with one (rt::TrainState). Unset: the model's, or the checkpoint's.
  std::optional<double> weight_decay, clip_grad_norm;
};
int train_command(const TrainOptions &options, std::ostream &out,
                  std::ostream &err);

// The classifier whose features and predictions score generated images
// (kiln eval --classifier, kiln fid).
struct ClassifierOptions {
  std::string checkpoint;           // required
  std::string model = "classifier"; // its model
};

// How a diffusion model is sampled (tools/kiln/diffusion.h).
struct SamplerOptions {
  static constexpr int64_t kDdimSteps = 50;
  // Each unset unless given, so that an option that does not apply (DDIM's
  // to DDPM's sampler, any of them where no sampler runs) is refused rather
  // than ignored.
  std::string sampler; // "ddim" (the default when empty) or "ddpm"
  std::optional<int64_t> steps;
  std::optional<double> eta;
  std::string decoder; // a latent diffusion model's: the decoder checkpoint
  bool ddim() const { return sampler != "ddpm"; }
  std::string_view name() const { return ddim() ? "ddim" : "ddpm"; }
  int64_t ddim_steps() const { return steps.value_or(kDdimSteps); }
  double ddim_eta() const { return eta.value_or(0); }
  // The first of the options given ("--sampler", ...), empty when none.
  std::string_view first_given() const {
    return !sampler.empty()   ? "--sampler"
           : steps            ? "--steps"
           : eta              ? "--eta"
           : !decoder.empty() ? "--decoder"
                              : "";
  }
};

struct EvalOptions {
  ModelOptions common;
  std::string entry; // empty: loss, else logits; with --classifier: the
                     // generation entry point (noise to images)
  std::string split = "test";
  int64_t batch = 500;
  ClassifierOptions classifier; // checkpoint set: score the model's samples
  std::optional<int64_t> n;     // samples scored with --classifier (10000), or
                                // held-out pairs of a sequence task (1000)
  SamplerOptions sampler;       // a diffusion model's, with --classifier
};
// With --classifier, the progress of a diffusion sampler goes to `err`.
int eval_command(const EvalOptions &options, std::ostream &out,
                 std::ostream &err);

// kiln generate: the text goes to `out` as it is sampled, the report to
// `err`.
struct GenerateOptions {
  ModelOptions common;
  std::string prompt;
  std::string input; // an encoder-decoder's source
  int64_t tokens = 256;
  double temperature = 1.0; // 0: greedy
  int top_k = 0;            // 0: every byte
  double top_p = 1.0;
  bool echo = true;       // print the prompt first
  bool recompute = false; // no KV cache: prefill the window every byte
  bool quiet = false;     // no report
};
int generate_command(const GenerateOptions &options, std::ostream &out,
                     std::ostream &err);

struct SampleOptions {
  ModelOptions common;
  std::string entry; // empty: the first from noise to images
  int64_t n = 64;
  int64_t cols = 0;         // 0: a square-ish grid (n with --interpolate)
  bool interpolate = false; // n images from z0 to z1 on a line
  // A conditional generator's class for every image; unset: one row per
  // class (with --interpolate: class 0).
  std::optional<int> label;
  std::string out;
  SamplerOptions sampler; // a diffusion model's (tools/kiln/diffusion.h)
  int64_t batch = 64;
  std::string trajectory; // a diffusion model's x_t along the way, as a PNG
};
// A diffusion sampler's progress goes to `err`.
int sample_command(const SampleOptions &options, std::ostream &out,
                   std::ostream &err);

struct ReconstructOptions {
  ModelOptions common;
  std::string entry; // empty: found by the model's contract (contract.h)
  std::string split = "test";
  int64_t n = 16;
  std::string out;
};
int reconstruct_command(const ReconstructOptions &options, std::ostream &out);

struct EncodeOptions {
  ModelOptions common;
  std::string entry; // empty: found by the model's contract (contract.h)
  std::string split = "test";
  int64_t batch = 500;
  std::string out;
};
int encode_command(const EncodeOptions &options, std::ostream &out);

struct ScoreOptions {
  ModelOptions common;
  std::string entry;  // empty: found by the model's contract (contract.h)
  std::string input;  // a safetensors file instead of a split
  std::string tensor; // which tensor of `input`
  std::string split = "test";
  bool ood = false;
  int64_t batch = 500;
  std::string out; // CSV; empty: to stdout (not in --ood mode)
};
int score_command(const ScoreOptions &options, std::ostream &out);

// kiln fid A B: the Fréchet distance between two image sets in the
// classifier's feature space. A set is `test`, `train`, `test[:N]`,
// `train[:N]`, a safetensors file of images in [0, 1], or `model:CKPT` /
// `NAME:CKPT` (n samples of a generative model).
struct FidOptions {
  std::vector<std::string> sets; // exactly two
  ClassifierOptions classifier;
  int64_t n = 10000; // samples drawn from a model
  uint64_t seed = 0; // of the sessions and of the latents
  int threads = 0;
  int64_t batch = 500;
  std::string data;
};
int fid_command(const FidOptions &options, std::ostream &out,
                std::ostream &err);

} // namespace kiln::cli
