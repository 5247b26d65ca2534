// kiln fid A B --classifier CKPT: the Fréchet distance between two image
// sets in the feature space of a trained classifier (runtime/fid.h).
#include "commands.h"
#include "generative.h"

#include "kiln/runtime/fid.h"

#include <fmt/ostream.h>

#include <chrono>

namespace kiln::cli {

int fid_command(const FidOptions &options, std::ostream &out,
                std::ostream &err) {
  if (options.sets.size() != 2)
    throw UsageError(fmt::format(
        "kiln fid compares two image sets (e.g. kiln fid test "
        "model:runs/gan/checkpoint.safetensors --classifier CKPT); got {}",
        options.sets.size()));
  const auto start = std::chrono::steady_clock::now();
  Classifier classifier(options.classifier, options.seed, options.threads,
                        "fid", out);
  const auto load_a = image_source(options.sets[0], options, out, err);
  const auto load_b = image_source(options.sets[1], options, out, err);
  const ImageSource a = load_a();
  const ImageSource b = load_b();
  const rt::FrechetDistance fid = rt::frechet_distance(
      rt::feature_stats(classifier.features(a.images, options.batch)),
      rt::feature_stats(classifier.features(b.images, options.batch)));
  print_fid(out, fid, a, b, classifier);
  const std::chrono::duration<double> elapsed =
      std::chrono::steady_clock::now() - start;
  fmt::print(out, "time: {:.2f} s\n", elapsed.count());
  return kExitOk;
}

} // namespace kiln::cli
