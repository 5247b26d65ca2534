#include "diffusion.h"

#include "contract.h"
#include "recipe.h"

#include "kiln/runtime/random.h"

#include <fmt/format.h>

#include <algorithm>

namespace kiln::cli {
namespace {

bool is_step(const rt::EntryDesc &e) {
  return e.kind == "infer" && e.outputs.size() == 1 &&
         e.outputs[0].data.kind == rt::DataKind::images &&
         input_of(e, rt::DataKind::images) >= 0 &&
         input_of(e, rt::DataKind::timestep) >= 0;
}

} // namespace

DiffusionSteps find_diffusion_steps(const rt::ModelDesc &model) {
  DiffusionSteps found;
  for (const rt::EntryDesc &e : model.entries) {
    if (!is_step(e))
      continue;
    const bool ddim = input_of(e, rt::DataKind::prev_timestep) >= 0 &&
                      input_of(e, rt::DataKind::eta) >= 0;
    if (e.inputs.size() != (ddim ? 4u : 2u))
      continue;
    const rt::EntryDesc *&slot = ddim ? found.ddim : found.ddpm;
    if (slot)
      continue;
    slot = &e;
    const rt::TensorDesc &x =
        e.inputs[size_t(input_of(e, rt::DataKind::images))];
    const rt::TensorDesc &t =
        e.inputs[size_t(input_of(e, rt::DataKind::timestep))];
    found.timesteps = int64_t(t.data.max);
    found.range = pixel_range(x.data);
    found.image.clear();
    for (size_t d = 1; d < x.dims.size(); ++d)
      found.image.push_back(x.dims[d].size);
  }
  return found;
}

std::vector<int64_t> sampler_timesteps(const SamplerOptions &options,
                                       int64_t timesteps) {
  std::vector<int64_t> ts;
  if (options.sampler == "ddpm") {
    for (int64_t t = timesteps - 1; t >= 0; --t)
      ts.push_back(t);
    return ts;
  }
  if (options.steps < 1 || options.steps > timesteps)
    throw UsageError(fmt::format("--steps {}: DDIM takes 1 to {} steps (the "
                                 "model's timesteps)",
                                 options.steps, timesteps));
  const int64_t stride = timesteps / options.steps;
  for (int64_t i = options.steps - 1; i >= 0; --i)
    ts.push_back(i * stride);
  return ts;
}

rt::Tensor
sample_diffusion(rt::Session &session, const DiffusionSteps &steps,
                 const SamplerOptions &options, int64_t n, uint64_t seed,
                 int64_t batch,
                 const std::function<void(int64_t, int64_t)> &progress) {
  const bool ddim = options.sampler == "ddim";
  const rt::EntryDesc *entry = ddim ? steps.ddim : steps.ddpm;
  if (!entry)
    throw UsageError(fmt::format(
        "--sampler {}: {} has no {} step (an infer entry point from images "
        "and a timestep{} to images)",
        options.sampler, session.model().name, options.sampler,
        ddim ? ", the previous timestep and eta" : ""));
  if (ddim && !(options.eta >= 0 && options.eta <= 1))
    throw UsageError(fmt::format("--eta {}: must be in [0, 1]", options.eta));
  const std::vector<int64_t> ts = sampler_timesteps(options, steps.timesteps);
  int64_t pixels = 1;
  for (int64_t d : steps.image)
    pixels *= d;
  rt::Tensor all({n, pixels});
  rt::fill_normal(all.values(), seed, rt::kLatentStream, 0.0, 1.0);
  const rt::Tensor eta = rt::Tensor({}, std::vector<float>{float(options.eta)});
  const int64_t total = int64_t(ts.size()) * ((n + batch - 1) / batch);
  int64_t done = 0;
  for (int64_t begin = 0; begin < n; begin += batch) {
    const int64_t rows = std::min(batch, n - begin);
    std::vector<int64_t> shape{rows};
    shape.insert(shape.end(), steps.image.begin(), steps.image.end());
    rt::Tensor x(shape,
                 std::vector<float>(all.data() + begin * pixels,
                                    all.data() + (begin + rows) * pixels));
    rt::Tensor next;
    for (size_t i = 0; i < ts.size(); ++i) {
      const rt::Tensor t = rt::Tensor::of_ints(
          {rows}, std::vector<int32_t>(size_t(rows), int32_t(ts[i])));
      const int32_t prev = i + 1 < ts.size() ? int32_t(ts[i + 1] + 1) : 0;
      const rt::Tensor p =
          rt::Tensor::of_ints({rows}, std::vector<int32_t>(size_t(rows), prev));
      std::vector<const rt::Tensor *> in(entry->inputs.size());
      in[size_t(input_of(*entry, rt::DataKind::images))] = &x;
      in[size_t(input_of(*entry, rt::DataKind::timestep))] = &t;
      if (ddim) {
        in[size_t(input_of(*entry, rt::DataKind::prev_timestep))] = &p;
        in[size_t(input_of(*entry, rt::DataKind::eta))] = &eta;
      }
      rt::Tensor *out = &next;
      session.run(entry->name, in, std::span<rt::Tensor *const>(&out, 1));
      std::swap(x, next);
      if (progress)
        progress(++done, total);
    }
    std::copy(x.data(), x.data() + rows * pixels, all.data() + begin * pixels);
  }
  return unit_images(all, steps.range);
}

} // namespace kiln::cli
