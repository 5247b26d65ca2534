// kiln encode MODEL --checkpoint CKPT --out latents.safetensors: every
// output of the `encode` entry point (the VAE's mu and logvar) for every
// image of a split, plus the labels, in one safetensors file. Its metadata
// names the first output of kind latent ("latent": "mu"): the encodings a
// latent diffusion model trains on (kiln train ldm --data FILE).
#include "commands.h"
#include "contract.h"
#include "recipe.h"
#include "workflow.h"

#include "kiln/runtime/error.h"
#include "kiln/runtime/safetensors.h"

#include <fmt/ostream.h>

namespace kiln::cli {

int encode_command(const EncodeOptions &options, std::ostream &out) {
  const rt::ModelDesc &model = require_model(options.common.model);
  const rt::EntryDesc &entry = entry_for(model, options.entry,
                                         {{"consumes images (and maybe "
                                           "one-hot labels) and produces "
                                           "latents",
                                           {rt::DataKind::images},
                                           {rt::DataKind::onehot},
                                           rt::DataKind::latent}},
                                         "encode");
  const EntryFeeds feeds = entry_feeds(model, entry, "encode");
  require_batched_outputs(entry, "encode");
  for (const rt::TensorDesc &t : entry.outputs)
    if (t.name == "labels")
      throw UsageError(fmt::format(
          "{}.{} has an output named 'labels', which kiln encode uses for "
          "the class labels",
          model.name, entry.name));
  if (options.out.empty())
    throw UsageError("missing --out FILE.safetensors");
  const rt::Split split = require_split(options.split);
  std::unique_ptr<rt::Session> session = open_session(options.common, out);

  const rt::ImageSet data = load_data(options.common.data, split);
  const std::vector<rt::Tensor> results = run_rows(
      *session, entry, data_inputs(feeds, data, data.count), options.batch);

  rt::Tensor labels({data.labelled() ? data.count : 0});
  for (int64_t i = 0; i < labels.dim(0); ++i)
    labels.data()[i] = static_cast<float>(data.labels[static_cast<size_t>(i)]);
  std::vector<rt::TensorRef> tensors;
  for (size_t k = 0; k < results.size(); ++k)
    tensors.push_back({entry.outputs[k].name, &results[k]});
  if (data.labelled())
    tensors.push_back({"labels", &labels});
  rt::Metadata metadata{{"model", std::string(model.name)},
                        {"entry", std::string(entry.name)},
                        {"checkpoint", options.common.checkpoint},
                        {"split", rt::split_name(split)}};
  for (const rt::TensorDesc &t : entry.outputs)
    if (t.data.kind == rt::DataKind::latent) {
      metadata.emplace_back("latent", std::string(t.name));
      break;
    }
  make_parent_dir(options.out);
  rt::write_safetensors(options.out, tensors, metadata);
  std::string written;
  for (size_t k = 0; k < results.size(); ++k)
    written += fmt::format("{} {}, ", entry.outputs[k].name,
                           results[k].shape_string());
  fmt::print(out, "{} {} images -> {}: {}{}\n", data.count,
             rt::split_name(split), options.out, written,
             data.labelled() ? fmt::format("labels [{}]", data.count)
                             : "no labels (the data has none)");
  return kExitOk;
}

} // namespace kiln::cli
