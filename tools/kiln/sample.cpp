// kiln sample MODEL --checkpoint CKPT --out samples.png: decode latents
// z ~ N(0, I) (Philox stream kLatentStream of --seed) into a grid of images.
#include "commands.h"
#include "workflow.h"

#include "kiln/runtime/png.h"
#include "kiln/runtime/random.h"

#include <fmt/ostream.h>

#include <chrono>
#include <cmath>

namespace kiln::cli {

int sample_command(const SampleOptions &options, std::ostream &out) {
  const rt::ModelDesc &model = require_model(options.common.model);
  const rt::EntryDesc &entry =
      require_entry_for(model, options.entry, "sample");
  const int64_t latent = flat_input_width(entry, "sample");
  require_batched_outputs(entry, "sample");
  if (options.out.empty())
    throw UsageError("missing --out FILE.png");
  std::unique_ptr<rt::Session> session = open_session(options.common, out);

  rt::Tensor z({options.n, latent});
  rt::fill_normal(z.values(), options.common.seed, rt::kLatentStream, 0.0, 1.0);
  const rt::Tensor *input = &z;
  using Clock = std::chrono::steady_clock;
  const auto first = Clock::now();
  std::vector<rt::Tensor> images =
      session->run(entry.name, std::span(&input, 1));
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
    session->run(entry.name, std::span(&input, 1), scratch);
    ++calls;
    elapsed = Clock::now() - start;
  }

  const int64_t cols =
      options.cols > 0
          ? options.cols
          : static_cast<int64_t>(std::ceil(std::sqrt(double(options.n))));
  const rt::GrayImage grid = rt::image_grid(images[0], cols);
  make_parent_dir(options.out);
  rt::write_png(options.out, grid);
  fmt::print(out,
             "{} samples of {}.{} (z ~ N(0, I) [{}, {}], seed {}) -> {} "
             "({} x {} pixels)\n",
             options.n, model.name, entry.name, options.n, latent,
             options.common.seed, options.out, grid.width, grid.height);
  fmt::print(out,
             "time: {:.3f} ms for the first batch of {}, then {:.3f} ms per "
             "batch: {:.0f} samples/s ({} calls)\n",
             first_call.count() * 1e3, options.n, elapsed.count() * 1e3 / calls,
             static_cast<double>(options.n) * calls / elapsed.count(), calls);
  return kExitOk;
}

} // namespace kiln::cli
