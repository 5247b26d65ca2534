// Sampling a diffusion model through its compiled sampler steps (the
// model's contract, docs/dsl.md): an infer entry point from images x_t and
// a timestep [batch] (data::timestep(T)) to x_{t-1} (DDPM's ancestral
// step), and one that also takes the timestep it goes to plus one
// (data::prev_timestep(T)) and DDIM's eta (data::eta()). The host only
// loops: x_T ~ N(0, I), then one call per step; the noise of each step is
// drawn in the graph from the session's seed.
#pragma once

#include "commands.h"

#include "kiln/runtime/fashion_mnist.h"
#include "kiln/runtime/image.h"
#include "kiln/runtime/model.h"
#include "kiln/runtime/session.h"
#include "kiln/runtime/tensor.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace kiln::cli {

struct DiffusionSteps {
  const rt::EntryDesc *ddpm = nullptr; // (x, t) -> x_prev
  const rt::EntryDesc *ddim = nullptr; // (x, t, prev + 1, eta) -> x_prev
  int64_t timesteps = 0;               // T
  std::vector<int64_t> image;          // per image, e.g. {1, 28, 28}
  rt::PixelRange range{};
};

// The model's sampler steps; none of them (ddpm and ddim null) when it has
// no entry point that consumes images and a timestep and produces images.
DiffusionSteps find_diffusion_steps(const rt::ModelDesc &model);

// The timesteps a sampler visits, from the noisiest: DDPM T-1 .. 0; DDIM
// `steps` of them evenly spaced, t_i = i * (T / steps) for i = steps-1 .. 0
// (T / steps rounded down). Throws UsageError for steps outside [1, T].
std::vector<int64_t> sampler_timesteps(const SamplerOptions &options,
                                       int64_t timesteps);

// n samples as [n, pixels per image] in [0, 1], in batches of `batch`:
// x_T ~ N(0, I) from Philox stream kLatentStream of `seed` (image i the
// same for any n), then one call per timestep. `progress` is called after
// every step with (steps done, steps).
rt::Tensor
sample_diffusion(rt::Session &session, const DiffusionSteps &steps,
                 const SamplerOptions &options, int64_t n, uint64_t seed,
                 int64_t batch,
                 const std::function<void(int64_t, int64_t)> &progress);

} // namespace kiln::cli
