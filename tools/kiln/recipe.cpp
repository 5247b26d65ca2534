#include "recipe.h"

#include "workflow.h"

#include "kiln/runtime/random.h"
#include "kiln/runtime/shapes.h"

#include <fmt/format.h>

#include <algorithm>

namespace kiln::cli {
namespace {

int64_t product(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

bool static_after_batch(const rt::TensorDesc &t) {
  if (t.dims.size() < 2 || t.dims[0].symbol.empty())
    return false;
  for (size_t d = 1; d < t.dims.size(); ++d)
    if (!t.dims[d].symbol.empty())
      return false;
  return true;
}

// `values` ([B, ...] row-major) reshaped to [B] + `after_batch`.
rt::Tensor reshaped(const rt::Tensor &values,
                    const std::vector<int64_t> &after_batch) {
  std::vector<int64_t> shape = after_batch;
  shape.insert(shape.begin(), values.dim(0));
  return rt::Tensor(shape, std::vector<float>(values.values().begin(),
                                              values.values().end()));
}

} // namespace

rt::PixelRange model_pixel_range(const rt::ModelDesc &model) {
  return model.find_entry("generate") ? rt::PixelRange::symmetric
                                      : rt::PixelRange::unit;
}

const char *range_name(rt::PixelRange range) {
  return range == rt::PixelRange::unit ? "[0, 1]" : "[-1, 1]";
}

int64_t default_train_batch(const rt::ModelDesc &model) {
  return model.name == "gan" ? 64 : 128;
}

EntryFeeds entry_feeds(const rt::ModelDesc &model, const rt::EntryDesc &entry,
                       const char *command) {
  EntryFeeds feeds;
  feeds.entry = &entry;
  std::string_view batch;
  for (const rt::TensorDesc &t : entry.inputs) {
    const std::vector<int64_t> row = shape_after_batch(t);
    const auto fail = [&](const std::string &why) {
      return UsageError(fmt::format(
          "kiln {} cannot feed input '{}' {} of {}.{}: {}. It feeds images "
          "([batch, 784], [batch, 28, 28] or [batch, 1, 28, 28]), one-hot "
          "labels (an input named 'onehot', [batch, 10]) and latents (an "
          "input named 'z', [batch, L])",
          command, t.name, rt::dims_string(t.dims), model.name, entry.name,
          why));
    };
    if (!static_after_batch(t))
      throw fail("the first dimension must be the (symbolic) batch and the "
                 "others static");
    if (batch.empty())
      batch = t.dims[0].symbol;
    else if (t.dims[0].symbol != batch)
      throw fail(fmt::format("its batch dimension is not '{}' like the "
                             "other inputs'",
                             batch));
    if (t.name == "onehot") {
      if (row != std::vector<int64_t>{rt::kFashionMnistClasses})
        throw fail("one-hot labels of Fashion-MNIST are [batch, 10]");
      feeds.inputs.push_back({Feed::onehot, row});
    } else if (t.name == "z") {
      if (row.size() != 1)
        throw fail("latents are [batch, L]");
      feeds.inputs.push_back({Feed::latent, row});
      feeds.latent_width = row[0];
    } else if (product(row) == kImagePixels) {
      feeds.inputs.push_back({Feed::images, row});
    } else {
      throw fail("it is none of these");
    }
  }
  if (entry.inputs.empty())
    throw UsageError(fmt::format("kiln {}: {}.{} takes no inputs", command,
                                 model.name, entry.name));
  return feeds;
}

Batch load_batch(const rt::ImageSet &data, std::span<const int64_t> indices,
                 rt::PixelRange range) {
  Batch b;
  b.images = data.images(indices, range);
  for (int64_t i : indices)
    b.labels.push_back(data.labels.at(static_cast<size_t>(i)));
  return b;
}

std::vector<rt::Tensor> entry_inputs(const EntryFeeds &feeds,
                                     const Batch &batch) {
  std::vector<rt::Tensor> inputs;
  for (const InputFeed &f : feeds.inputs)
    switch (f.feed) {
    case Feed::images:
      inputs.push_back(reshaped(batch.images, f.shape_after_batch));
      break;
    case Feed::onehot: {
      const auto n = static_cast<int64_t>(batch.labels.size());
      rt::Tensor t({n, rt::kFashionMnistClasses});
      for (int64_t i = 0; i < n; ++i)
        t.data()[i * rt::kFashionMnistClasses +
                 batch.labels[static_cast<size_t>(i)]] = 1.0f;
      inputs.push_back(std::move(t));
      break;
    }
    case Feed::latent:
      inputs.push_back(batch.z);
      break;
    }
  return inputs;
}

Generator generation_entry(const rt::ModelDesc &model, const std::string &name,
                           const char *command) {
  Generator g;
  if (!name.empty()) {
    g.entry = &require_entry_for(model, name, command);
  } else if (const rt::EntryDesc *e = model.find_entry("generate")) {
    g.entry = e;
  } else if (const rt::EntryDesc *e = model.find_entry("decode_probs")) {
    g.entry = e;
  } else {
    std::string names;
    for (const rt::EntryDesc &e : model.entries)
      names += fmt::format("{}{}", names.empty() ? "" : ", ", e.name);
    throw UsageError(
        fmt::format("kiln {} needs a generation entry point ('generate' or "
                    "'decode_probs'), which {} does not have; entry points: {}",
                    command, model.name, names.empty() ? "none" : names));
  }
  const rt::EntryDesc &e = *g.entry;
  g.latent = flat_input_width(e, command);
  require_batched_outputs(e, command);
  if (!static_after_batch(e.outputs[0]) ||
      product(shape_after_batch(e.outputs[0])) != kImagePixels)
    throw UsageError(fmt::format(
        "kiln {} expects {}.{} to return images of 784 pixels per row "
        "([batch, 784] or [batch, 1, 28, 28]), but '{}' is {}",
        command, model.name, e.name, e.outputs[0].name,
        rt::dims_string(e.outputs[0].dims)));
  g.range = e.name == "decode_probs" ? rt::PixelRange::unit
                                     : model_pixel_range(model);
  return g;
}

rt::Tensor unit_images(const rt::Tensor &images, rt::PixelRange range) {
  const int64_t n = images.rank() > 0 ? images.dim(0) : 0;
  rt::Tensor out(
      {n, n ? images.numel() / n : 0},
      std::vector<float>(images.values().begin(), images.values().end()));
  if (range == rt::PixelRange::symmetric)
    for (float &v : out.values())
      v = 0.5f * v + 0.5f;
  return out;
}

rt::Tensor sample_latents(int64_t n, int64_t latent, uint64_t seed) {
  rt::Tensor z({n, latent});
  rt::fill_normal(z.values(), seed, rt::kLatentStream, 0.0, 1.0);
  return z;
}

rt::Tensor generate_images(rt::Session &session, const Generator &generator,
                           const rt::Tensor &z, int64_t batch) {
  return unit_images(run_rows(session, *generator.entry, z, batch)[0],
                     generator.range);
}

} // namespace kiln::cli
