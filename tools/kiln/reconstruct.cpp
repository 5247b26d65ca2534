// kiln reconstruct MODEL --checkpoint CKPT --out recon.png: the first --n
// images of a split, each followed by the model's reconstruction.
#include "commands.h"
#include "contract.h"
#include "recipe.h"
#include "workflow.h"

#include "kiln/runtime/png.h"

#include <fmt/ostream.h>

#include <algorithm>
#include <cmath>

namespace kiln::cli {

int reconstruct_command(const ReconstructOptions &options, std::ostream &out) {
  const rt::ModelDesc &model = require_model(options.common.model);
  const rt::EntryDesc &entry = entry_for(model, options.entry,
                                         {{"consumes images (and maybe "
                                           "one-hot labels) and produces "
                                           "images",
                                           {rt::DataKind::images},
                                           {rt::DataKind::onehot},
                                           rt::DataKind::images}},
                                         "reconstruct");
  const EntryFeeds feeds = entry_feeds(model, entry, "reconstruct");
  const int64_t width = kImagePixels;
  require_batched_outputs(entry, "reconstruct");
  if (entry.outputs[0].dims.size() != 2 ||
      entry.outputs[0].dims[1].size != width)
    throw UsageError(fmt::format("kiln reconstruct expects {}.{} to return "
                                 "images like its input, [batch, {}]",
                                 model.name, entry.name, width));
  if (options.out.empty())
    throw UsageError("missing --out FILE.png");
  const rt::Split split = require_split(options.split);
  std::unique_ptr<rt::Session> session = open_session(options.common, out);

  const rt::ImageSet data = load_data(options.common.data, split);
  const int64_t n = std::min(options.n, data.count);
  // Shown and compared in [0, 1]; fed as the entry point declares (its
  // pixel range, labels for a conditional model).
  const rt::Tensor x = data.images(0, n, rt::PixelRange::unit);
  const std::vector<rt::Tensor> y{
      unit_images(run_rows(*session, entry, data_inputs(feeds, data, n), n)[0],
                  pixel_range(entry.outputs[0].data))};

  // Pairs side by side: image, reconstruction, image, reconstruction...
  rt::Tensor pairs({2 * n, width});
  double abs_error = 0;
  for (int64_t i = 0; i < n; ++i) {
    std::copy_n(x.data() + i * width, width, pairs.data() + 2 * i * width);
    std::copy_n(y[0].data() + i * width, width,
                pairs.data() + (2 * i + 1) * width);
    for (int64_t p = 0; p < width; ++p)
      abs_error += std::abs(double(x.data()[i * width + p]) -
                            double(y[0].data()[i * width + p]));
  }
  const rt::GrayImage grid = rt::image_grid(pairs, 2 * std::min<int64_t>(n, 8));
  make_parent_dir(options.out);
  rt::write_png(options.out, grid);
  fmt::print(out,
             "{} {} images and their reconstructions by {}.{} -> {} ({} "
             "x {} pixels)\n",
             n, rt::split_name(split), model.name, entry.name, options.out,
             grid.width, grid.height);
  fmt::print(out, "mean absolute pixel error: {:.4f}\n",
             abs_error / static_cast<double>(n * width));
  return kExitOk;
}

} // namespace kiln::cli
