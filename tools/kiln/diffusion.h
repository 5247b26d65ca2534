// Sampling a diffusion model through its compiled sampler steps (the
// model's contract, docs/dsl.md): an infer entry point from samples x_t
// (images, or latents for a latent diffusion model) and a timestep [batch]
// (data::timestep(T)) to x_{t-1} of the same kind (DDPM's ancestral step),
// and one that also takes the timestep it goes to plus one
// (data::prev_timestep(T)) and DDIM's eta (data::eta()). The host only
// loops: x_T ~ N(0, I), then one call per step; the noise of each step is
// drawn in the graph from the session's seed. Latents become images
// through another model's decoder (SamplerOptions::decoder, a VAE's).
#pragma once

#include "commands.h"

#include "kiln/runtime/fashion_mnist.h"
#include "kiln/runtime/image.h"
#include "kiln/runtime/model.h"
#include "kiln/runtime/session.h"
#include "kiln/runtime/tensor.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace kiln::cli {

struct DiffusionSteps {
  const rt::EntryDesc *ddpm = nullptr; // (x, t) -> x_prev
  const rt::EntryDesc *ddim = nullptr; // (x, t, prev + 1, eta) -> x_prev
  int64_t timesteps = 0;               // T
  rt::DataKind kind{};                 // images or latent
  std::vector<int64_t> sample;         // per sample: {1, 28, 28}, {32}
  rt::PixelRange range{};              // of images

  int64_t values_per_sample() const; // 784, 32
};

// The model's sampler steps; none of them (ddpm and ddim null) when it has
// no entry point that consumes images (or latents) and a timestep and
// produces the same.
DiffusionSteps find_diffusion_steps(const rt::ModelDesc &model);

// The timesteps a sampler visits, from the noisiest: DDPM T-1 .. 0; DDIM
// `steps` of them evenly spaced, t_i = i * (T / steps) for i = steps-1 .. 0
// (T / steps rounded down). Throws UsageError for steps outside [1, T], eta
// outside [0, 1], and for --steps or --eta given to DDPM.
std::vector<int64_t> sampler_timesteps(const SamplerOptions &options,
                                       int64_t timesteps);

// For a model sampled without a diffusion sampler (none, or `entry` chosen
// instead of it): throws UsageError naming the first of the sampler's options
// that was given (--sampler, --steps, --eta, --decoder), which would
// otherwise be ignored.
void refuse_sampler_options(const SamplerOptions &options,
                            const rt::ModelDesc &model,
                            const std::string &entry);

// x_t of the first `rows` samples at `points` moments evenly spaced from
// x_T (the noise) to x_0 (the samples), both ends included: what kiln
// sample --trajectory shows. Fewer points when there are fewer steps.
struct Trajectory {
  int64_t rows = 8, points = 10;
  std::vector<rt::Tensor> at; // [rows, values per sample] each, from x_T
};

// n samples as [n, values per sample] as the model makes them (images in
// its pixel range, or latents), in batches of `batch`: x_T ~ N(0, I) from
// Philox stream kLatentStream of `seed` (sample i the same for any n), then
// one call per timestep. `progress` is called with (0, steps) before the
// first step and after every step with (steps done, steps).
rt::Tensor
sample_diffusion(rt::Session &session, const DiffusionSteps &steps,
                 const SamplerOptions &options, int64_t n, uint64_t seed,
                 int64_t batch,
                 const std::function<void(int64_t, int64_t)> &progress,
                 Trajectory *trajectory = nullptr);

// sample_diffusion with a progress line on `err` over its steps: redrawn in
// place on a terminal, else a line every 50 steps and one at the end.
rt::Tensor sample_diffusion(rt::Session &session, const DiffusionSteps &steps,
                            const SamplerOptions &options, int64_t n,
                            uint64_t seed, int64_t batch, std::ostream &err,
                            Trajectory *trajectory = nullptr);

// What turns a latent diffusion model's samples into images: the first
// infer entry point of the model of `options.decoder` (a checkpoint that
// names its model) that consumes latents [batch, L] of the sampler's width
// and produces images of 784 pixels. Not opened for image samplers.
class LatentDecoder {
public:
  // Throws UsageError when the steps make latents and no decoder fits.
  // Prints a line about the checkpoint to `out`.
  LatentDecoder(const SamplerOptions &options, const DiffusionSteps &steps,
                uint64_t seed, int threads, std::ostream &out);
  ~LatentDecoder();

  // "" for image samplers, else " decoded by vae.decode_latents".
  std::string description() const;
  // Samples [n, values per sample] as images [n, 784] in [0, 1].
  rt::Tensor images(const rt::Tensor &samples, int64_t batch);

private:
  rt::PixelRange range_{};
  std::unique_ptr<rt::Session> session_; // null for image samplers
  const rt::EntryDesc *entry_ = nullptr;
};

} // namespace kiln::cli
