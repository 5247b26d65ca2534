// kiln eval MODEL --checkpoint CKPT, in one of four ways:
//  - the mean of each output of the `loss` entry point over a data split
//    (for the VAE: the test-set negative ELBO in nats per image, with its
//    reconstruction and KL terms);
//  - for an encoder-decoder (source and text to next-byte logits): exact
//    match of its greedy outputs on held-out pairs of the reverse task;
//  - for a language model (a loss of text and its next bytes): the mean
//    loss over every non-overlapping window of the held-out text, in nats
//    and bits per byte (MODELS.md's protocol);
//  - for a classifier (a `logits` entry point, [batch, 10]): accuracy,
//    cross-entropy and per-class accuracy over the split;
//  - with --classifier CLS: the model's samples scored against the split:
//    FID in the classifier's feature space and the predicted classes.
#include "commands.h"
#include "contract.h"
#include "generative.h"
#include "recipe.h"
#include "text_generation.h"
#include "workflow.h"

#include "kiln/runtime/fid.h"
#include "kiln/runtime/image_data.h"
#include "kiln/runtime/sequence_task.h"
#include "kiln/runtime/shapes.h"
#include "kiln/runtime/text_data.h"

#include <fmt/ostream.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

namespace kiln::cli {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// An entry point whose outputs are loss terms (averaged over the split) or
// class logits (accuracy), from images.
const rt::EntryDesc &eval_entry(const rt::ModelDesc &model,
                                const std::string &name) {
  const std::vector<Need> needs{{"consumes text and its next bytes and "
                                 "produces loss terms",
                                 {rt::DataKind::text, rt::DataKind::next_text},
                                 {},
                                 rt::DataKind::loss,
                                 true},
                                {"consumes images (and maybe one-hot "
                                 "labels) and produces loss terms",
                                 {rt::DataKind::images},
                                 {rt::DataKind::onehot},
                                 rt::DataKind::loss,
                                 true},
                                {"consumes images and produces class logits",
                                 {rt::DataKind::images},
                                 {},
                                 rt::DataKind::logits}};
  if (name.empty() && !find_entry(model, needs) &&
      find_entry(model, {generation_need()}))
    throw UsageError(fmt::format(
        "kiln eval needs an infer entry point that consumes images and "
        "produces loss terms or class logits, which {} does not have. To "
        "score {}'s samples, pass --classifier CKPT (FID and predicted "
        "classes)",
        model.name, model.name));
  return entry_for(model, name, needs, "eval");
}

void require_finite_means(const rt::ModelDesc &model,
                          const rt::EntryDesc &entry,
                          const std::vector<double> &means,
                          const std::string &split) {
  for (size_t k = 0; k < means.size(); ++k)
    require_finite(
        means[k],
        fmt::format("the mean of {}.{} output '{}' over the {} split",
                    model.name, entry.name, entry.outputs[k].name, split));
}

// One line per output: its name and its mean, names aligned.
void print_means(std::ostream &out, const rt::EntryDesc &entry,
                 const std::vector<double> &means) {
  size_t width = 0;
  for (const rt::TensorDesc &t : entry.outputs)
    width = std::max(width, t.name.size());
  for (size_t k = 0; k < means.size(); ++k)
    fmt::print(out, "  {:<{}}  {:.4f}\n", entry.outputs[k].name, width,
               means[k]);
}

int eval_means(const EvalOptions &options, const rt::ModelDesc &model,
               const rt::EntryDesc &entry, rt::Session &session,
               const rt::ImageSet &data, const std::vector<rt::Tensor> &x,
               std::ostream &out) {
  const auto start = Clock::now();
  const std::vector<double> means = run_means(session, entry, x, options.batch);
  const double elapsed = seconds_since(start);
  require_finite_means(model, entry, means, options.split);
  fmt::print(out, "{}.{} over {} {} images (batches of {}), seed {}:\n",
             model.name, entry.name, data.count, options.split,
             std::min(options.batch, data.count), options.common.seed);
  print_means(out, entry, means);
  fmt::print(out, "time: {:.2f} s ({:.0f} images/s)\n", elapsed,
             static_cast<double>(data.count) / elapsed);
  return kExitOk;
}

// A language model's loss over the windows [128 k, 128 k + 128] of the
// split (T = 128; each window's bytes predicted from their in-window
// prefix), the last partial window left out. The loss is a mean over
// bytes in nats, so bits per byte is loss / ln 2.
int eval_text(const EvalOptions &options, const rt::ModelDesc &model,
              const rt::EntryDesc &entry, const EntryFeeds &feeds,
              rt::Session &session, std::ostream &out) {
  const rt::Split split = require_split(options.split);
  const rt::TextCorpus corpus = rt::load_text_corpus(options.common.data);
  const std::span<const uint8_t> text = corpus.split(split);
  const int64_t length = feeds.text_length;
  std::vector<int64_t> starts;
  for (int64_t s = 0; s + length < static_cast<int64_t>(text.size());
       s += length)
    starts.push_back(s);
  if (starts.empty())
    throw UsageError(fmt::format("the {} split of {} ({} bytes) holds no "
                                 "window of {} bytes and the next",
                                 options.split, corpus.source, text.size(),
                                 length));
  rt::Tensor x, next;
  rt::text_windows(text, starts, length, x, next);
  std::vector<rt::Tensor> inputs;
  for (const InputFeed &f : feeds.inputs)
    inputs.push_back(f.feed == Feed::text ? x : next);
  const auto start = Clock::now();
  const std::vector<double> means =
      run_means(session, entry, inputs, options.batch);
  const double elapsed = seconds_since(start);
  require_finite_means(model, entry, means, options.split);
  const auto windows = static_cast<int64_t>(starts.size());
  fmt::print(out,
             "{}.{} over the {} split of {}: {} windows of {} bytes ({} "
             "bytes predicted; batches of {})\n",
             model.name, entry.name, options.split, corpus.source, windows,
             length, windows * length, std::min(options.batch, windows));
  print_means(out, entry, means);
  fmt::print(out, "  bits per byte  {:.4f}  ({} / ln 2)\n",
             means[0] / std::log(2.0), entry.outputs[0].name);
  fmt::print(out, "time: {:.2f} s ({:.0f} bytes/s)\n", elapsed,
             static_cast<double>(windows * length) / elapsed);
  return kExitOk;
}

// Exact match of greedy decoding on the first n held-out pairs of the
// reverse task, drawn with the session's seed (--seed).
int eval_transduce(const EvalOptions &options, const rt::ModelDesc &model,
                   const TransduceEntry &te, std::ostream &out) {
  const rt::Split split = require_split(options.split);
  const int64_t n = options.n.value_or(1000);
  if (te.target_length != te.source_length + 1)
    throw UsageError(fmt::format(
        "{}.{}: a source of {} bytes needs text of {} (BOS and the target), "
        "not {}",
        model.name, te.entry->name, te.source_length, te.source_length + 1,
        te.target_length));
  std::unique_ptr<rt::Session> session = open_session(options.common, out);
  const rt::ReverseTask task(te.source_length);
  rt::Tensor sources({n, te.source_length}, rt::DType::i32), text, next;
  std::vector<int64_t> indices(static_cast<size_t>(n));
  std::iota(indices.begin(), indices.end(), 0);
  task.batch(split, options.common.seed, indices, sources, text, next);
  const auto start = Clock::now();
  const std::vector<std::string> got =
      transduce(*session, te, sources, Sampling{0.0, 0, 1.0},
                options.common.seed, options.batch);
  const double elapsed = seconds_since(start);
  int64_t exact = 0, bytes = 0, right = 0;
  std::string shown;
  for (int64_t i = 0; i < n; ++i) {
    const rt::SequencePair p = task.example(split, options.common.seed, i);
    const std::string &g = got[size_t(i)];
    exact += g == p.target;
    bytes += int64_t(p.target.size());
    for (size_t j = 0; j < p.target.size(); ++j)
      right += j < g.size() && g[j] == p.target[j];
    if (i < 3)
      shown += fmt::format("  {} -> {} ({})\n", p.source, g,
                           g == p.target ? "right" : "expected " + p.target);
  }
  fmt::print(out,
             "{}.{} on {} {} pairs of the reverse task (sources of 1 to {} "
             "bytes; seed {}), greedy:\n{}",
             model.name, te.entry->name, n, rt::split_name(split),
             te.source_length, options.common.seed, shown);
  fmt::print(out, "  exact match  {:.4f}  ({} of {})\n", double(exact) / n,
             exact, n);
  fmt::print(out, "  bytes right  {:.4f}  (position by position)\n",
             double(right) / double(bytes));
  fmt::print(out, "time: {:.2f} s ({:.0f} pairs/s)\n", elapsed,
             double(n) / elapsed);
  return kExitOk;
}

int eval_accuracy(const EvalOptions &options, const rt::ModelDesc &model,
                  const rt::EntryDesc &entry, rt::Session &session,
                  const rt::ImageSet &data, const std::vector<rt::Tensor> &x,
                  std::ostream &out) {
  const auto start = Clock::now();
  const rt::Tensor logits = run_rows(session, entry, x, options.batch)[0];
  const double elapsed = seconds_since(start);
  const int64_t k = logits.dim(1);
  const std::vector<int> predicted = argmax_rows(logits);
  int64_t correct = 0;
  double cross_entropy = 0;
  std::vector<int64_t> class_total(static_cast<size_t>(k), 0),
      class_correct(static_cast<size_t>(k), 0);
  for (int64_t i = 0; i < data.count; ++i) {
    const int label = data.labels[static_cast<size_t>(i)];
    const float *row = logits.data() + i * k;
    // -log softmax(row)[label], in double, by log-sum-exp.
    const double top = *std::max_element(row, row + k);
    double sum = 0;
    for (int64_t j = 0; j < k; ++j)
      sum += std::exp(static_cast<double>(row[j]) - top);
    cross_entropy += top + std::log(sum) - row[label];
    const bool hit = predicted[static_cast<size_t>(i)] == label;
    correct += hit;
    ++class_total[static_cast<size_t>(label)];
    class_correct[static_cast<size_t>(label)] += hit;
  }
  const double n = static_cast<double>(data.count);
  require_finite(cross_entropy / n,
                 fmt::format("the cross-entropy of {}.{} over the {} split",
                             model.name, entry.name, options.split));
  fmt::print(out, "{}.{} over {} {} images (batches of {}), seed {}:\n",
             model.name, entry.name, data.count, options.split,
             std::min(options.batch, data.count), options.common.seed);
  fmt::print(out, "  accuracy       {:.4f}  ({} of {})\n", correct / n, correct,
             data.count);
  fmt::print(out, "  cross-entropy  {:.4f}  (nats per image)\n",
             cross_entropy / n);
  fmt::print(out, "  accuracy per class:\n");
  for (int64_t c = 0; c < k; ++c)
    if (class_total[static_cast<size_t>(c)] > 0)
      fmt::print(out, "    {} {:<12} {:.4f}  ({} images)\n", c,
                 size_t(c) < data.class_names.size()
                     ? data.class_names[size_t(c)]
                     : std::string(),
                 static_cast<double>(class_correct[static_cast<size_t>(c)]) /
                     static_cast<double>(class_total[static_cast<size_t>(c)]),
                 class_total[static_cast<size_t>(c)]);
  fmt::print(out, "time: {:.2f} s ({:.0f} images/s)\n", elapsed, n / elapsed);
  return kExitOk;
}

// --classifier: FID of n samples against the split, and their classes.
int eval_samples(const EvalOptions &options, std::ostream &out,
                 std::ostream &err) {
  const rt::ModelDesc &model = require_model(options.common.model);
  if (const DiffusionSteps d = find_diffusion_steps(model);
      !options.entry.empty() || (!d.ddpm && !d.ddim)) {
    // Usage errors first, before the classifier loads.
    refuse_sampler_options(options.sampler, model, options.entry);
    generation_entry(model, options.entry, "eval");
  }
  const rt::Split split = require_split(options.split);
  const auto start = Clock::now();
  Classifier classifier(options.classifier, options.common.seed,
                        options.common.threads, "eval", out);
  const ImageSource samples =
      sample_images(options.common, options.entry, options.n.value_or(10000),
                    options.batch, "eval", out, err, options.sampler);
  const rt::ImageSet data = load_data(options.common.data, split);
  const ImageSource real{
      fmt::format("{} {} images", data.count, rt::split_name(split)),
      data.images(0, data.count, rt::PixelRange::unit)};
  const rt::FrechetDistance fid = rt::frechet_distance(
      rt::feature_stats(classifier.features(samples.images, options.batch)),
      rt::feature_stats(classifier.features(real.images, options.batch)));
  print_fid(out, fid, samples, real, classifier);
  fmt::print(out, "classes of the samples, by {}.{}:\n",
             classifier.model().name, classifier.logits_entry().name);
  print_class_shares(out, classifier.predict(samples.images, options.batch),
                     classifier.logits_entry().outputs[0].dims[1].size);
  fmt::print(out, "time: {:.2f} s\n", seconds_since(start));
  return kExitOk;
}

} // namespace

int eval_command(const EvalOptions &options, std::ostream &out,
                 std::ostream &err) {
  if (!options.classifier.checkpoint.empty())
    return eval_samples(options, out, err);
  if (const std::string_view given = options.sampler.first_given();
      !given.empty()) {
    const rt::ModelDesc &model = require_model(options.common.model);
    if (const DiffusionSteps d = find_diffusion_steps(model);
        !d.ddpm && !d.ddim)
      refuse_sampler_options(options.sampler, model, "");
    throw UsageError(fmt::format("{}: only with --classifier CKPT (it says "
                                 "how the samples that kiln eval scores are "
                                 "drawn)",
                                 given));
  }
  const rt::ModelDesc &model = require_model(options.common.model);
  if (const TransduceEntry te = find_transduce_entry(model);
      te.entry && (options.entry.empty() || options.entry == te.entry->name))
    return eval_transduce(options, model, te, out);
  const rt::EntryDesc &entry = eval_entry(model, options.entry);
  const EntryFeeds feeds = entry_feeds(model, entry, "eval"); // checks shapes
  const bool scalars = entry.outputs[0].data.kind == rt::DataKind::loss;
  if (feeds.text_length) {
    if (!scalars)
      throw UsageError(fmt::format("{}.{} consumes text but does not "
                                   "produce a loss",
                                   model.name, entry.name));
    require_scalar_outputs(entry, "eval");
    std::unique_ptr<rt::Session> session = open_session(options.common, out);
    return eval_text(options, model, entry, feeds, *session, out);
  }
  if (scalars)
    require_scalar_outputs(entry, "eval");
  else if (entry.outputs.size() != 1 ||
           entry.outputs[0].dims[1].size != rt::kFashionMnistClasses)
    throw UsageError(fmt::format(
        "{}.{} returns {} {}, but Fashion-MNIST has {} classes", model.name,
        entry.name, entry.outputs[0].name,
        rt::dims_string(entry.outputs[0].dims), rt::kFashionMnistClasses));
  const rt::Split split = require_split(options.split);
  std::unique_ptr<rt::Session> session = open_session(options.common, out);

  const rt::ImageSet data = load_data(options.common.data, split);
  const std::string source =
      rt::describe_image_data(options.common.data, split);
  if (!scalars && !data.labelled())
    throw UsageError(fmt::format("kiln eval measures {}.{}'s accuracy against "
                                 "labels, but there are none in {}",
                                 model.name, entry.name, source));
  if (!scalars) // labels index the per-class counts
    require_classes(data, entry.outputs[0].dims[1].size, source,
                    fmt::format("{}.{}", model.name, entry.name));
  const std::vector<rt::Tensor> x = data_inputs(feeds, data, data.count);
  return scalars ? eval_means(options, model, entry, *session, data, x, out)
                 : eval_accuracy(options, model, entry, *session, data, x, out);
}

} // namespace kiln::cli
