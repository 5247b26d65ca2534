#include "diffusion.h"

#include "contract.h"
#include "recipe.h"
#include "workflow.h"

#include "kiln/runtime/checkpoint.h"
#include "kiln/runtime/shapes.h"

#include "kiln/runtime/progress.h"
#include "kiln/runtime/random.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace kiln::cli {
namespace {

// The kind of sample a step maps to the same kind, or unspecified when
// `e` is no sampler step.
rt::DataKind step_kind(const rt::EntryDesc &e) {
  if (e.kind != "infer" || e.outputs.size() != 1 ||
      input_of(e, rt::DataKind::timestep) < 0)
    return rt::DataKind::unspecified;
  for (rt::DataKind kind : {rt::DataKind::images, rt::DataKind::latent})
    if (e.outputs[0].data.kind == kind && input_of(e, kind) >= 0)
      return kind;
  return rt::DataKind::unspecified;
}

} // namespace

int64_t DiffusionSteps::values_per_sample() const {
  int64_t n = 1;
  for (int64_t d : sample)
    n *= d;
  return n;
}

DiffusionSteps find_diffusion_steps(const rt::ModelDesc &model) {
  DiffusionSteps found;
  for (const rt::EntryDesc &e : model.entries) {
    const rt::DataKind kind = step_kind(e);
    if (kind == rt::DataKind::unspecified)
      continue;
    const bool ddim = input_of(e, rt::DataKind::prev_timestep) >= 0 &&
                      input_of(e, rt::DataKind::eta) >= 0;
    if (e.inputs.size() != (ddim ? 4u : 2u))
      continue;
    const rt::EntryDesc *&slot = ddim ? found.ddim : found.ddpm;
    if (slot)
      continue;
    slot = &e;
    const rt::TensorDesc &x = e.inputs[size_t(input_of(e, kind))];
    const rt::TensorDesc &t =
        e.inputs[size_t(input_of(e, rt::DataKind::timestep))];
    found.timesteps = int64_t(t.data.max);
    found.kind = kind;
    if (kind == rt::DataKind::images)
      found.range = pixel_range(x.data);
    found.sample.clear();
    for (size_t d = 1; d < x.dims.size(); ++d)
      found.sample.push_back(x.dims[d].size);
  }
  return found;
}

std::vector<int64_t> sampler_timesteps(const SamplerOptions &options,
                                       int64_t timesteps) {
  std::vector<int64_t> ts;
  if (!options.ddim()) {
    if (options.steps || options.eta)
      throw UsageError(
          fmt::format("{}: DDIM's; --sampler ddpm runs all {} steps, ancestral",
                      options.steps ? "--steps" : "--eta", timesteps));
    for (int64_t t = timesteps - 1; t >= 0; --t)
      ts.push_back(t);
    return ts;
  }
  if (!(options.ddim_eta() >= 0 && options.ddim_eta() <= 1))
    throw UsageError(
        fmt::format("--eta {}: must be in [0, 1]", options.ddim_eta()));
  const int64_t n = options.ddim_steps();
  if (n < 1 || n > timesteps)
    throw UsageError(fmt::format("--steps {}: DDIM takes 1 to {} steps (the "
                                 "model's timesteps)",
                                 n, timesteps));
  const int64_t stride = timesteps / n;
  for (int64_t i = n - 1; i >= 0; --i)
    ts.push_back(i * stride);
  return ts;
}

void refuse_sampler_options(const SamplerOptions &options,
                            const rt::ModelDesc &model,
                            const std::string &entry) {
  const std::string_view given = options.first_given();
  if (given.empty())
    return;
  if (const DiffusionSteps steps = find_diffusion_steps(model);
      (steps.ddpm || steps.ddim) && !entry.empty())
    throw UsageError(fmt::format("{}: --entry {} runs {}.{} once, without a "
                                 "diffusion sampler; leave out one or the "
                                 "other",
                                 given, entry, model.name, entry));
  throw UsageError(fmt::format("{}: {} is no {}diffusion model (an option of "
                               "a diffusion sampler)",
                               given, model.name,
                               given == "--decoder" ? "latent " : ""));
}

rt::Tensor
sample_diffusion(rt::Session &session, const DiffusionSteps &steps,
                 const SamplerOptions &options, int64_t n, uint64_t seed,
                 int64_t batch,
                 const std::function<void(int64_t, int64_t)> &progress,
                 Trajectory *trajectory) {
  const bool ddim = options.ddim();
  const rt::EntryDesc *entry = ddim ? steps.ddim : steps.ddpm;
  if (!entry)
    throw UsageError(fmt::format(
        "{}: {} has no {} step (an infer entry point from samples and a "
        "timestep{} to samples)",
        options.sampler.empty() ? "the default sampler, ddim"
                                : "--sampler " + options.sampler,
        session.model().name, options.name(),
        ddim ? ", the previous timestep and eta" : ""));
  const std::vector<int64_t> ts = sampler_timesteps(options, steps.timesteps);
  const int64_t pixels = steps.values_per_sample();
  rt::Tensor all({n, pixels});
  rt::fill_normal(all.values(), seed, rt::kLatentStream, 0.0, 1.0);
  const rt::Tensor eta =
      rt::Tensor({}, std::vector<float>{float(options.ddim_eta())});
  const int64_t total = int64_t(ts.size()) * ((n + batch - 1) / batch);
  int64_t done = 0;
  if (progress)
    progress(done, total);
  // The first rows of the first batch: x_T, then after the steps where
  // point k of the trajectory falls, k * steps / (points - 1) rounded.
  const auto record = [&](const float *x) {
    const int64_t rows = std::min({trajectory->rows, batch, n});
    trajectory->at.emplace_back(std::vector<int64_t>{rows, pixels},
                                std::vector<float>(x, x + rows * pixels));
  };
  int64_t next_point = 1;
  if (trajectory) {
    trajectory->points =
        std::min<int64_t>(trajectory->points, int64_t(ts.size()) + 1);
    trajectory->at.clear();
    record(all.data());
  }
  for (int64_t begin = 0; begin < n; begin += batch) {
    const int64_t rows = std::min(batch, n - begin);
    std::vector<int64_t> shape{rows};
    shape.insert(shape.end(), steps.sample.begin(), steps.sample.end());
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
      in[size_t(input_of(*entry, steps.kind))] = &x;
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
      if (trajectory && begin == 0 && next_point < trajectory->points &&
          int64_t(i) + 1 ==
              (next_point * int64_t(ts.size()) + (trajectory->points - 1) / 2) /
                  (trajectory->points - 1)) {
        record(x.data());
        ++next_point;
      }
    }
    std::copy(x.data(), x.data() + rows * pixels, all.data() + begin * pixels);
  }
  return all;
}

rt::Tensor sample_diffusion(rt::Session &session, const DiffusionSteps &steps,
                            const SamplerOptions &options, int64_t n,
                            uint64_t seed, int64_t batch, std::ostream &err,
                            Trajectory *trajectory) {
  std::optional<rt::Progress> line;
  rt::Tensor samples = sample_diffusion(
      session, steps, options, n, seed, batch,
      [&](int64_t done, int64_t total) {
        if (!line)
          line.emplace(err, total, 0, stderr_is_terminal(err), 50);
        else
          line->update(done, {});
      },
      trajectory);
  if (line)
    line->finish();
  return samples;
}

LatentDecoder::LatentDecoder(const SamplerOptions &options,
                             const DiffusionSteps &steps, uint64_t seed,
                             int threads, std::ostream &out) {
  if (steps.kind != rt::DataKind::latent) {
    range_ = steps.range;
    if (!options.decoder.empty())
      throw UsageError("--decoder is for a latent diffusion model; this "
                       "one samples images");
    return;
  }
  const int64_t width = steps.values_per_sample();
  if (options.decoder.empty())
    throw UsageError(fmt::format(
        "the model samples latents [{}]: pass --decoder CKPT, the checkpoint "
        "of the model that decodes them (the VAE whose kiln encode file it "
        "trained on)",
        width));
  const std::string name = rt::read_checkpoint_info(options.decoder).model;
  if (name.empty())
    throw UsageError(fmt::format("--decoder {}: the file does not say which "
                                 "model it belongs to",
                                 options.decoder));
  const rt::ModelDesc &model = require_model(name);
  const Need need{"consumes latents and produces images",
                  {rt::DataKind::latent},
                  {},
                  rt::DataKind::images};
  entry_ = find_entry(model, {need});
  if (!entry_)
    throw UsageError(fmt::format("--decoder {}: {} has no infer entry point "
                                 "that {}",
                                 options.decoder, model.name, need.what));
  // The contract makes both [batch, static...] (kilnc checks it).
  const rt::TensorDesc &z = entry_->inputs[0];
  const rt::TensorDesc &images = entry_->outputs[0];
  int64_t pixels = 1;
  for (int64_t d : shape_after_batch(images))
    pixels *= d;
  if (shape_after_batch(z) != std::vector<int64_t>{width} ||
      pixels != kImagePixels)
    throw UsageError(fmt::format(
        "--decoder {}: {}.{} maps {} {} to {} {}; the sampler makes latents "
        "[{}] and kiln scores images of {} pixels",
        options.decoder, model.name, entry_->name, z.name,
        rt::dims_string(z.dims), images.name, rt::dims_string(images.dims),
        width, kImagePixels));
  range_ = pixel_range(images.data);
  session_ =
      open_session(ModelOptions{name, options.decoder, seed, threads, ""}, out);
}

LatentDecoder::~LatentDecoder() = default;

std::string LatentDecoder::description() const {
  return entry_ ? fmt::format(" decoded by {}.{}", session_->model().name,
                              entry_->name)
                : std::string();
}

rt::Tensor LatentDecoder::images(const rt::Tensor &samples, int64_t batch) {
  if (!session_)
    return unit_images(samples, range_);
  return unit_images(run_rows(*session_, *entry_, samples, batch)[0], range_);
}

} // namespace kiln::cli
