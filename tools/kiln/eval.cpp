// kiln eval MODEL --checkpoint CKPT: the mean of each output of the `loss`
// entry point over a data split (for the VAE: the test-set negative ELBO in
// nats per image, with its reconstruction and KL terms).
#include "commands.h"
#include "workflow.h"

#include <fmt/ostream.h>

#include <algorithm>
#include <chrono>

namespace kiln::cli {

int eval_command(const EvalOptions &options, std::ostream &out) {
  const rt::ModelDesc &model = require_model(options.common.model);
  const rt::EntryDesc &entry = require_entry_for(model, options.entry, "eval");
  const int64_t width = flat_input_width(entry, "eval");
  require_scalar_outputs(entry, "eval");
  const rt::Split split = require_split(options.split);
  std::unique_ptr<rt::Session> session = open_session(options.common, out);

  const rt::ImageSet data =
      rt::load_fashion_mnist(data_dir(options.common.data), split);
  if (data.pixels_per_image() != width)
    throw UsageError(fmt::format("{}.{} takes {} pixels per image, the data "
                                 "has {}",
                                 model.name, entry.name, width,
                                 data.pixels_per_image()));
  const rt::Tensor x = data.images(0, data.count, rt::PixelRange::unit);
  const auto start = std::chrono::steady_clock::now();
  const std::vector<double> means =
      run_means(*session, entry, x, options.batch);
  const std::chrono::duration<double> elapsed =
      std::chrono::steady_clock::now() - start;

  fmt::print(out, "{}.{} over {} {} images (batches of {}), seed {}:\n",
             model.name, entry.name, data.count, rt::split_name(split),
             std::min(options.batch, data.count), options.common.seed);
  size_t width_names = 0;
  for (const rt::TensorDesc &t : entry.outputs)
    width_names = std::max(width_names, t.name.size());
  for (size_t k = 0; k < means.size(); ++k)
    fmt::print(out, "  {:<{}}  {:.4f}\n", entry.outputs[k].name, width_names,
               means[k]);
  fmt::print(out, "time: {:.2f} s ({:.0f} images/s)\n", elapsed.count(),
             static_cast<double>(data.count) / elapsed.count());
  return kExitOk;
}

} // namespace kiln::cli
