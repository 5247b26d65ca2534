// kiln sample MODEL --checkpoint CKPT --out samples.png: latents z ~ N(0, I)
// (Philox stream kLatentStream of --seed) through the model's generation
// entry point (the model's first from noise to images, in their stated range)
// into a grid of images. --interpolate: n images along the line from the
// first latent to the second, in one row. A diffusion model runs its
// sampler's steps instead (diffusion.h).
#include "commands.h"
#include "diffusion.h"
#include "recipe.h"
#include "workflow.h"

#include "kiln/runtime/file_kind.h"
#include "kiln/runtime/png.h"

#include <fmt/ostream.h>

#include <algorithm>
#include <chrono>
#include <cmath>

namespace kiln::cli {

namespace {

// A diffusion model: x_T ~ N(0, I), then the sampler's steps; a latent
// diffusion model's samples decoded by --decoder.
int sample_diffusion_command(const SampleOptions &options,
                             const DiffusionSteps &steps, std::ostream &out,
                             std::ostream &err) {
  if (options.out.empty())
    throw UsageError("missing --out FILE.png");
  if (options.interpolate || options.label)
    throw UsageError("--interpolate and --label are for generators from "
                     "noise; a diffusion model samples with --sampler");
  if (!options.trajectory.empty())
    rt::writable_file(options.trajectory); // before the sampling
  const SamplerOptions &sampler = options.sampler;
  const size_t visits = sampler_timesteps(sampler, steps.timesteps).size();
  std::unique_ptr<rt::Session> session = open_session(options.common, out);
  LatentDecoder decoder(sampler, steps, options.common.seed,
                        options.common.threads, out);
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  Trajectory trajectory;
  const rt::Tensor samples = sample_diffusion(
      *session, steps, sampler, options.n, options.common.seed, options.batch,
      err, options.trajectory.empty() ? nullptr : &trajectory);
  const rt::Tensor images = decoder.images(samples, options.batch);
  if (!options.trajectory.empty()) {
    // One row per sample, its moments left (x_T) to right (x_0).
    const int64_t rows = trajectory.at.front().dim(0),
                  points = int64_t(trajectory.at.size());
    rt::Tensor strip({rows * points, kImagePixels});
    for (int64_t k = 0; k < points; ++k) {
      const rt::Tensor shown =
          decoder.images(trajectory.at[size_t(k)], options.batch);
      for (int64_t r = 0; r < rows; ++r)
        std::copy_n(shown.data() + r * kImagePixels, kImagePixels,
                    strip.data() + (r * points + k) * kImagePixels);
    }
    make_parent_dir(options.trajectory);
    rt::write_png(options.trajectory, rt::image_grid(strip, points));
    fmt::print(out, "x_t of {} samples at {} moments from x_T to x_0 -> {}\n",
               rows, points, options.trajectory);
  }
  const std::chrono::duration<double> elapsed = Clock::now() - start;
  const int64_t cols =
      options.cols > 0
          ? options.cols
          : static_cast<int64_t>(std::ceil(std::sqrt(double(options.n))));
  const rt::GrayImage grid = rt::image_grid(images, cols);
  make_parent_dir(options.out);
  rt::write_png(options.out, grid);
  fmt::print(out,
             "{} samples of {} by {} ({} steps{}; x_T ~ N(0, I), seed {}){} "
             "-> {} ({} x {} pixels)\ntime: {:.2f} s ({:.3f} s per image)\n",
             options.n, session->model().name, sampler.name(), visits,
             sampler.ddim() ? fmt::format(", eta {}", sampler.ddim_eta())
                            : std::string(),
             options.common.seed, decoder.description(), options.out,
             grid.width, grid.height, elapsed.count(),
             elapsed.count() / double(options.n));
  return kExitOk;
}

} // namespace

int sample_command(const SampleOptions &options, std::ostream &out,
                   std::ostream &err) {
  const rt::ModelDesc &model = require_model(options.common.model);
  if (const DiffusionSteps steps = find_diffusion_steps(model);
      options.entry.empty() && (steps.ddpm || steps.ddim))
    return sample_diffusion_command(options, steps, out, err);
  refuse_sampler_options(options.sampler, model, options.entry);
  if (!options.trajectory.empty())
    throw UsageError(
        fmt::format("--trajectory: {} is no diffusion model", model.name));
  const Generator generator = generation_entry(model, options.entry, "sample");
  const rt::EntryDesc &entry = *generator.entry;
  const int64_t latent = generator.latent;
  if (options.out.empty())
    throw UsageError("missing --out FILE.png");
  if (options.interpolate && options.n < 2)
    throw UsageError(fmt::format(
        "--interpolate needs at least 2 images (the two ends), got --n {}",
        options.n));
  std::unique_ptr<rt::Session> session = open_session(options.common, out);

  // A conditional generator draws each image's class too: --label C for
  // all of them, else one row of the grid per class with the same latents
  // in every row (one column per latent).
  if (options.label && generator.classes == 0)
    throw UsageError(
        fmt::format("--label: {}.{} takes no labels", model.name, entry.name));
  if (options.label &&
      (*options.label < 0 || *options.label >= generator.classes))
    throw UsageError(fmt::format("--label {}: {}.{} has classes 0 to {}",
                                 *options.label, model.name, entry.name,
                                 generator.classes - 1));
  const bool per_class =
      generator.classes > 0 && !options.label && !options.interpolate;
  const int64_t per_row =
      per_class ? (options.cols > 0 ? options.cols : 8) : options.n;
  const int64_t n = per_class ? per_row * generator.classes : options.n;
  std::vector<int> labels(static_cast<size_t>(n), options.label.value_or(0));
  rt::Tensor z;
  if (options.interpolate) {
    // z_i = (1 - t) z0 + t z1, t = i / (n - 1): both ends are samples.
    const rt::Tensor ends = sample_latents(2, latent, options.common.seed);
    z = rt::Tensor({options.n, latent});
    for (int64_t i = 0; i < options.n; ++i) {
      const double t =
          static_cast<double>(i) / static_cast<double>(options.n - 1);
      for (int64_t k = 0; k < latent; ++k)
        z.data()[i * latent + k] = static_cast<float>(
            (1 - t) * ends.data()[k] + t * ends.data()[latent + k]);
    }
  } else if (per_class) {
    const rt::Tensor row = sample_latents(per_row, latent, options.common.seed);
    z = rt::Tensor({n, latent});
    for (int64_t c = 0; c < generator.classes; ++c) {
      std::copy(row.values().begin(), row.values().end(),
                z.data() + c * per_row * latent);
      std::fill_n(labels.begin() + c * per_row, per_row, static_cast<int>(c));
    }
  } else {
    z = sample_latents(options.n, latent, options.common.seed);
  }
  const std::vector<rt::Tensor> inputs = generator_inputs(generator, z, labels);
  std::vector<const rt::Tensor *> input;
  for (const rt::Tensor &t : inputs)
    input.push_back(&t);
  using Clock = std::chrono::steady_clock;
  const auto first = Clock::now();
  std::vector<rt::Tensor> images = session->run(entry.name, input);
  const std::chrono::duration<double> first_call = Clock::now() - first;
  // Throughput without first-call setup (thread pool start, arena growth):
  // the same batch again for about a quarter of a second.
  std::vector<rt::Tensor> again(images.size());
  std::vector<rt::Tensor *> scratch;
  for (rt::Tensor &t : again)
    scratch.push_back(&t);
  int calls = 0;
  const auto start = Clock::now();
  std::chrono::duration<double> elapsed{0};
  while (calls < 1000 && elapsed.count() < 0.25) {
    session->run(entry.name, input, scratch);
    ++calls;
    elapsed = Clock::now() - start;
  }

  const int64_t cols =
      per_class          ? per_row
      : options.cols > 0 ? options.cols
      : options.interpolate
          ? options.n
          : static_cast<int64_t>(std::ceil(std::sqrt(double(options.n))));
  const rt::GrayImage grid =
      rt::image_grid(unit_images(images[0], generator.range), cols);
  make_parent_dir(options.out);
  rt::write_png(options.out, grid);
  if (options.interpolate)
    fmt::print(out,
               "{} images of {}.{} from z0 to z1 (z ~ N(0, I) [2, {}], seed "
               "{}; images in {}) -> {} ({} x {} pixels)\n",
               options.n, model.name, entry.name, latent, options.common.seed,
               range_name(generator.range), options.out, grid.width,
               grid.height);
  else if (per_class)
    fmt::print(out,
               "{} samples of {}.{}, one row per class 0 to {} (z ~ N(0, I) "
               "[{}, {}] in every row, seed {}; images in {}) -> {} ({} x {} "
               "pixels)\n",
               n, model.name, entry.name, generator.classes - 1, per_row,
               latent, options.common.seed, range_name(generator.range),
               options.out, grid.width, grid.height);
  else
    fmt::print(out,
               "{} samples of {}.{}{} (z ~ N(0, I) [{}, {}], seed {}; images "
               "in {}) -> {} ({} x {} pixels)\n",
               options.n, model.name, entry.name,
               generator.classes ? fmt::format(" of class {}", labels[0])
                                 : std::string(),
               options.n, latent, options.common.seed,
               range_name(generator.range), options.out, grid.width,
               grid.height);
  fmt::print(out,
             "time: {:.3f} ms for the first batch of {}, then {:.3f} ms per "
             "batch: {:.0f} samples/s ({} calls)\n",
             first_call.count() * 1e3, n, elapsed.count() * 1e3 / calls,
             static_cast<double>(n) * calls / elapsed.count(), calls);
  return kExitOk;
}

} // namespace kiln::cli
