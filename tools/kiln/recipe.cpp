#include "recipe.h"

#include "contract.h"
#include "workflow.h"

#include "kiln/runtime/error.h"
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

std::string range_name(rt::PixelRange range) {
  return fmt::format("[{}, {}]", range.min, range.max);
}

int64_t default_train_batch(const std::vector<const rt::EntryDesc *> &step) {
  int64_t batch = 0;
  for (const rt::EntryDesc *e : step) {
    if (batch && e->batch && e->batch != batch)
      throw UsageError(fmt::format(
          "the entry points of the step train with different batches ({} "
          "and {} for {}); give --batch",
          batch, e->batch, e->name));
    batch = batch ? batch : e->batch;
  }
  return batch ? batch : 128;
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
          "labels ([batch, 10]), noise ([batch, L]), latents ([batch, L], "
          "from kiln encode's file) and text (i32 [batch, T]), as the model "
          "declares them with consumes() (docs/dsl.md)",
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
    switch (t.data.kind) {
    case rt::DataKind::onehot:
      if (row != std::vector<int64_t>{rt::kFashionMnistClasses})
        throw fail("one-hot labels of Fashion-MNIST are [batch, 10]");
      feeds.inputs.push_back({Feed::onehot, row});
      break;
    case rt::DataKind::noise:
      feeds.inputs.push_back({Feed::noise, row});
      feeds.noise_width = row[0];
      break;
    case rt::DataKind::latent:
      feeds.inputs.push_back({Feed::latent, row});
      feeds.latent_width = row[0];
      break;
    case rt::DataKind::images:
      if (product(row) != kImagePixels)
        throw fail("Fashion-MNIST images have 784 pixels");
      if (feeds.range && *feeds.range != pixel_range(t.data))
        throw fail("two image inputs in different pixel ranges");
      feeds.range = pixel_range(t.data);
      feeds.inputs.push_back({Feed::images, row});
      break;
    case rt::DataKind::text:
    case rt::DataKind::next_text:
      if (feeds.text_length && feeds.text_length != row[0])
        throw fail("two text inputs of different lengths");
      feeds.text_length = row[0];
      feeds.inputs.push_back(
          {t.data.kind == rt::DataKind::text ? Feed::text : Feed::next_text,
           row});
      break;
    case rt::DataKind::source:
      feeds.source_length = row[0];
      feeds.inputs.push_back({Feed::source, row});
      break;
    case rt::DataKind::position:
      throw fail("a position is fed by kiln generate, one token at a time");
    case rt::DataKind::unspecified:
      throw fail("the model does not say what it is");
    default:
      throw fail(
          fmt::format("'{}' describes an output", kind_name(t.data.kind)));
    }
  }
  if (entry.inputs.empty())
    throw UsageError(fmt::format("kiln {}: {}.{} takes no inputs", command,
                                 model.name, entry.name));
  if (feeds.source_length && feeds.text_length != feeds.source_length + 1)
    throw UsageError(fmt::format(
        "kiln {}: {}.{} takes a source of {} bytes, so its text must hold "
        "BOS and as many target bytes ({}), not {}",
        command, model.name, entry.name, feeds.source_length,
        feeds.source_length + 1, feeds.text_length));
  return feeds;
}

Batch load_batch(const rt::ImageSet &data, std::span<const int64_t> indices,
                 rt::PixelRange range) {
  Batch b;
  b.images = data.images(indices, range);
  if (data.labelled())
    for (int64_t i : indices)
      b.labels.push_back(data.labels.at(static_cast<size_t>(i)));
  return b;
}

void require_labels(const EntryFeeds &feeds, const rt::ImageSet &data,
                    const std::string &source) {
  if (data.count == 0)
    return;
  for (const InputFeed &f : feeds.inputs) {
    if (f.feed != Feed::onehot)
      continue;
    if (!data.labelled())
      throw UsageError(fmt::format(
          "{} consumes one-hot labels, but there are none in {} (labels "
          "come from class folders DIR/CLASS/*.png, a 'labels' tensor, or a "
          "file pair IMAGES,LABELS)",
          feeds.entry->name, source));
    require_classes(data, f.shape_after_batch.at(0), source,
                    fmt::format("{}'s one-hot input", feeds.entry->name));
  }
}

void require_classes(const rt::ImageSet &data, int64_t classes,
                     const std::string &source, const std::string &what) {
  for (size_t i = 0; i < data.labels.size(); ++i)
    if (data.labels[i] >= classes)
      throw UsageError(fmt::format("{}: label {} of image {} is not one of "
                                   "the {} classes of {}",
                                   source, data.labels[i], i, classes, what));
}

std::vector<rt::Tensor> entry_inputs(const EntryFeeds &feeds,
                                     const Batch &batch) {
  std::vector<rt::Tensor> inputs;
  for (const InputFeed &f : feeds.inputs)
    switch (f.feed) {
    case Feed::images:
      inputs.push_back(reshaped(batch.images, f.shape_after_batch));
      break;
    case Feed::onehot:
      if (batch.labels.empty())
        throw UsageError(fmt::format("{} consumes one-hot labels, but the "
                                     "images have none",
                                     feeds.entry->name));
      inputs.push_back(one_hot(batch.labels, f.shape_after_batch.at(0)));
      break;
    case Feed::noise:
      inputs.push_back(batch.z);
      break;
    case Feed::latent:
      inputs.push_back(batch.latents);
      break;
    case Feed::text:
      inputs.push_back(batch.text);
      break;
    case Feed::next_text:
      inputs.push_back(batch.next_text);
      break;
    case Feed::source:
      inputs.push_back(batch.source);
      break;
    }
  return inputs;
}

std::vector<rt::Tensor> data_inputs(const EntryFeeds &feeds,
                                    const rt::ImageSet &data, int64_t n) {
  require_labels(feeds, data, "the images of --data");
  Batch all;
  all.images = data.images(0, n, feeds.range.value_or(rt::PixelRange::unit));
  if (data.labelled())
    all.labels.assign(data.labels.begin(), data.labels.begin() + n);
  return entry_inputs(feeds, all);
}

Need generation_need() {
  return {"consumes noise (and maybe one-hot labels) and produces images",
          {rt::DataKind::noise},
          {rt::DataKind::onehot},
          rt::DataKind::images};
}

rt::Tensor one_hot(std::span<const int> labels, int64_t classes) {
  const auto n = static_cast<int64_t>(labels.size());
  rt::Tensor t({n, classes});
  for (int64_t i = 0; i < n; ++i) {
    const int label = labels[static_cast<size_t>(i)];
    if (label < 0 || label >= classes)
      throw UsageError(fmt::format("label {} is not one of the model's {} "
                                   "classes",
                                   label, classes));
    t.data()[i * classes + label] = 1.0f;
  }
  return t;
}

Generator generation_entry(const rt::ModelDesc &model, const std::string &name,
                           const char *command) {
  Generator g;
  g.entry = &entry_for(model, name, {generation_need()}, command);
  const rt::EntryDesc &e = *g.entry;
  const EntryFeeds feeds = entry_feeds(model, e, command); // checks shapes
  g.latent = feeds.noise_width;
  for (const InputFeed &f : feeds.inputs)
    if (f.feed == Feed::onehot)
      g.classes = f.shape_after_batch.at(0);
  require_batched_outputs(e, command);
  if (!static_after_batch(e.outputs[0]) ||
      product(shape_after_batch(e.outputs[0])) != kImagePixels)
    throw UsageError(fmt::format(
        "kiln {} expects {}.{} to return images of 784 pixels per row "
        "([batch, 784] or [batch, 1, 28, 28]), but '{}' is {}",
        command, model.name, e.name, e.outputs[0].name,
        rt::dims_string(e.outputs[0].dims)));
  g.range = pixel_range(e.outputs[0].data);
  return g;
}

rt::Tensor unit_images(const rt::Tensor &images, rt::PixelRange range) {
  const int64_t n = images.rank() > 0 ? images.dim(0) : 0;
  rt::Tensor out(
      {n, n ? images.numel() / n : 0},
      std::vector<float>(images.values().begin(), images.values().end()));
  // [min, max] -> [0, 1]; [-1, 1] as 0.5 v + 0.5, as before ranges were
  // general.
  if (range != rt::PixelRange::unit) {
    const auto scale = static_cast<float>(1 / (range.max - range.min));
    const auto shift = static_cast<float>(-range.min / (range.max - range.min));
    for (float &v : out.values())
      v = scale * v + shift;
  }
  // A model's images go into PNGs and FIDs: NaN would pass as black.
  const int64_t per = n ? out.numel() / n : 1;
  if (const int64_t bad = rt::first_non_finite(out.values()); bad >= 0)
    throw rt::Error(fmt::format("image {} of the {} generated has pixel {} "
                                "{}: the model's numbers broke down",
                                bad / per, n, bad % per, out.data()[bad]));
  return out;
}

rt::Tensor images_in_range(const rt::Tensor &unit, rt::PixelRange range) {
  rt::Tensor out = unit;
  if (range != rt::PixelRange::unit) {
    const auto scale = static_cast<float>(range.max - range.min);
    const auto shift = static_cast<float>(range.min);
    for (float &v : out.values())
      v = v * scale + shift;
  }
  return out;
}

rt::Tensor sample_latents(int64_t n, int64_t latent, uint64_t seed) {
  rt::Tensor z({n, latent});
  rt::fill_normal(z.values(), seed, rt::kLatentStream, 0.0, 1.0);
  return z;
}

std::vector<rt::Tensor> generator_inputs(const Generator &generator,
                                         const rt::Tensor &z,
                                         std::span<const int> labels) {
  std::vector<rt::Tensor> inputs;
  for (const rt::TensorDesc &t : generator.entry->inputs)
    inputs.push_back(t.data.kind == rt::DataKind::onehot
                         ? one_hot(labels, generator.classes)
                         : z);
  return inputs;
}

rt::Tensor generate_images(rt::Session &session, const Generator &generator,
                           const rt::Tensor &z, std::span<const int> labels,
                           int64_t batch) {
  return unit_images(run_rows(session, *generator.entry,
                              generator_inputs(generator, z, labels), batch)[0],
                     generator.range);
}

} // namespace kiln::cli
