// kiln score MODEL --checkpoint CKPT: the per-image score of the `score`
// entry point (the VAE's negative ELBO, an anomaly score) for a split or a
// safetensors file, as CSV; --ood compares test images with two kinds of
// out-of-distribution input, inverted images (1 - x) and uniform noise. A
// conditional model is scored with each image's label (every group of
// --ood with the split's labels).
#include "commands.h"
#include "contract.h"
#include "recipe.h"
#include "workflow.h"

#include "kiln/runtime/atomic_file.h"
#include "kiln/runtime/error.h"
#include "kiln/runtime/image_data.h"
#include "kiln/runtime/random.h"

#include <fmt/ostream.h>

#include <algorithm>
#include <cmath>

namespace kiln::cli {
namespace {

struct Group {
  std::string name;
  rt::Tensor images;       // [N, pixels]
  std::vector<int> labels; // empty when unknown
  std::vector<float> scores;
};

double mean(const std::vector<float> &v) {
  double s = 0;
  for (float x : v)
    s += x;
  return v.empty() ? 0.0 : s / static_cast<double>(v.size());
}

// Area under the ROC curve of telling `outliers` from `inliers` by a higher
// score: the probability that a random outlier scores above a random
// inlier (ties count half), by the Mann-Whitney U statistic.
double auroc(const std::vector<float> &inliers,
             const std::vector<float> &outliers) {
  std::vector<std::pair<float, int>> all;
  for (float s : inliers)
    all.emplace_back(s, 0);
  for (float s : outliers)
    all.emplace_back(s, 1);
  std::ranges::sort(all);
  double rank_sum = 0; // of the outliers, ranks from 1, ties averaged
  for (size_t i = 0; i < all.size();) {
    size_t j = i;
    while (j < all.size() && all[j].first == all[i].first)
      ++j;
    const double rank =
        (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (size_t k = i; k < j; ++k)
      if (all[k].second == 1)
        rank_sum += rank;
    i = j;
  }
  const auto n0 = static_cast<double>(inliers.size());
  const auto n1 = static_cast<double>(outliers.size());
  return (rank_sum - n1 * (n1 + 1) / 2) / (n0 * n1);
}

std::string csv(const std::vector<Group> &groups, bool with_group) {
  const bool labels = !groups.empty() && !groups[0].labels.empty();
  std::string text = fmt::format(
      "{}index{},score\n", with_group ? "group," : "", labels ? ",label" : "");
  for (const Group &g : groups)
    for (size_t i = 0; i < g.scores.size(); ++i) {
      if (with_group)
        text += g.name + ",";
      text += std::to_string(i);
      if (labels)
        text += "," + (g.labels.empty() ? std::string()
                                        : std::to_string(g.labels[i]));
      text += fmt::format(",{:.9g}\n", g.scores[i]);
    }
  return text;
}

} // namespace

int score_command(const ScoreOptions &options, std::ostream &out) {
  const rt::ModelDesc &model = require_model(options.common.model);
  const rt::EntryDesc &entry =
      entry_for(model, options.entry,
                {{"consumes images (and maybe one-hot labels) and produces "
                  "one score per image",
                  {rt::DataKind::images},
                  {rt::DataKind::onehot},
                  rt::DataKind::score}},
                "score");
  const EntryFeeds feeds = entry_feeds(model, entry, "score"); // checks shapes
  const bool conditional = std::ranges::any_of(
      feeds.inputs, [](const InputFeed &f) { return f.feed == Feed::onehot; });
  require_batched_outputs(entry, "score");
  if (entry.outputs.size() != 1 || entry.outputs[0].dims.size() != 1)
    throw UsageError(fmt::format("kiln score expects {}.{} to return one "
                                 "score per image, [batch]",
                                 model.name, entry.name));
  if (options.ood && !options.input.empty())
    throw UsageError("--ood scores a split (the test set by default); leave "
                     "--input out");

  std::vector<Group> groups;
  // CSV on stdout stays pure CSV: the checkpoint line is dropped then.
  std::ostream discard(nullptr);
  const bool csv_to_stdout = options.out.empty() && !options.ood;
  std::unique_ptr<rt::Session> session =
      open_session(options.common, csv_to_stdout ? discard : out);
  if (!options.input.empty()) {
    if (conditional)
      throw UsageError(fmt::format(
          "{}.{} scores images with their labels; --input holds images "
          "alone: give --data FILE.safetensors with 'images' and 'labels' "
          "(or IMAGES,LABELS)",
          model.name, entry.name));
    groups.push_back(
        {options.input,
         read_images_file(options.input, options.tensor, kImagePixels),
         {},
         {}});
  } else {
    const rt::Split split = require_split(options.split);
    const rt::ImageSet data = load_data(options.common.data, split);
    require_labels(feeds, data,
                   rt::describe_image_data(options.common.data, split));
    Group g{rt::split_name(split),
            data.images(0, data.count, rt::PixelRange::unit),
            {},
            {}};
    for (uint8_t label : data.labels)
      g.labels.push_back(label);
    groups.push_back(std::move(g));
  }
  if (options.ood) {
    // The outliers keep the split's labels: a conditional score then asks
    // how unlike class c an outlier is, as it does for the inliers.
    const std::vector<int> labels =
        conditional ? groups[0].labels : std::vector<int>{};
    Group inverted{"inverted", groups[0].images, labels, {}};
    for (float &v : inverted.images.values())
      v = 1.0f - v;
    Group noise{"noise", rt::Tensor(groups[0].images.shape()), labels, {}};
    rt::fill_uniform(noise.images.values(), options.common.seed,
                     rt::kNoiseStream, 0.0, 1.0);
    groups.push_back(std::move(inverted));
    groups.push_back(std::move(noise));
  }

  for (Group &g : groups) {
    // Groups are kept in [0, 1] (the inverted and noise images are made
    // there); the entry point takes its own range.
    Batch b;
    b.images =
        images_in_range(g.images, feeds.range.value_or(rt::PixelRange::unit));
    b.labels = g.labels;
    const rt::Tensor s =
        run_rows(*session, entry, entry_inputs(feeds, b), options.batch)[0];
    g.scores.assign(s.values().begin(), s.values().end());
    // A score that is no number ranks nowhere (and means a broken model).
    if (const int64_t bad = rt::first_non_finite(g.scores); bad >= 0)
      throw rt::Error(fmt::format(
          "{}.{} scored image {} of {} as {}; scores must be finite",
          model.name, entry.name, bad, g.name, g.scores[size_t(bad)]));
  }

  if (!options.out.empty()) {
    make_parent_dir(options.out);
    rt::write_file_atomically(options.out, csv(groups, options.ood));
  } else if (csv_to_stdout) {
    fmt::print(out, "{}", csv(groups, false));
    return kExitOk;
  }
  fmt::print(out, "mean {} of {}.{}{}:\n", entry.outputs[0].name, model.name,
             entry.name,
             options.ood ? " (higher = less like the training data)" : "");
  for (const Group &g : groups) {
    fmt::print(out, "  {:<10} {:>6} images  {:.4f}", g.name, g.scores.size(),
               mean(g.scores));
    if (&g != &groups[0])
      fmt::print(out, "  AUROC vs {} {:.4f}", groups[0].name,
                 auroc(groups[0].scores, g.scores));
    fmt::print(out, "\n");
  }
  if (!options.out.empty())
    fmt::print(out, "scores -> {}\n", options.out);
  return kExitOk;
}

} // namespace kiln::cli
