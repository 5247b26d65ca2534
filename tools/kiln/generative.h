// Scoring generated images (kiln eval MODEL --classifier, kiln fid): a
// classifier's features and predictions, the image sets named on the
// command line, and the reports.
#pragma once

#include "commands.h"
#include "diffusion.h"
#include "recipe.h"

#include "kiln/runtime/fid.h"
#include "kiln/runtime/session.h"
#include "kiln/runtime/tensor.h"

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace kiln::cli {

// A trained classifier with entry points `features` (images -> [batch, D],
// its penultimate layer) and `logits` (images -> [batch, classes]), both
// taking images of 784 pixels in [0, 1].
class Classifier {
public:
  // Loads the checkpoint (printing a line about it to `out`). Throws
  // UsageError when the model lacks either entry point or their shapes
  // differ from the above.
  Classifier(const ClassifierOptions &options, uint64_t seed, int threads,
             const char *command, std::ostream &out);

  const rt::ModelDesc &model() const { return session_->model(); }
  const rt::EntryDesc &features_entry() const { return *features_; }
  const rt::EntryDesc &logits_entry() const { return *logits_; }

  // `images`: [N, 784] in [0, 1]; calls in batches of `batch`.
  rt::Tensor features(const rt::Tensor &images, int64_t batch);
  std::vector<int> predict(const rt::Tensor &images, int64_t batch);

private:
  std::unique_ptr<rt::Session> session_;
  const rt::EntryDesc *features_ = nullptr;
  const rt::EntryDesc *logits_ = nullptr;
};

// The index of the largest value of each row of [N, K] (the first on ties;
// NaN never wins).
std::vector<int> argmax_rows(const rt::Tensor &logits);

// Images [N, 784] in [0, 1] and what they are, for reports.
struct ImageSource {
  std::string description; // "10000 test images", "500 samples of gan.generate"
  rt::Tensor images;
};

// `n` samples of the model of `model` (its checkpoint, seed and threads):
// latents from Philox stream kLatentStream of the seed, through the
// generation entry point `entry` (empty: generate or decode_probs); for a
// diffusion model (and no `entry`), x_T from that stream through
// `sampler`'s steps (diffusion.h), with their progress on `err`.
ImageSource sample_images(const ModelOptions &model, const std::string &entry,
                          int64_t n, int64_t batch, const char *command,
                          std::ostream &out, std::ostream &err,
                          const SamplerOptions &sampler = {});

// One set of `kiln fid`: test, train, test[:N], train[:N], FILE.safetensors
// (images in [0, 1]), model:CKPT (the model named in the checkpoint) or
// NAME:CKPT. Returns what loads (or samples) the images, once every check
// that needs neither is done, so that kiln fid refuses a bad second set
// before it samples the first. The loader refers to `options`, `out` and
// `err`.
std::function<ImageSource()> image_source(const std::string &spec,
                                          const FidOptions &options,
                                          std::ostream &out, std::ostream &err);

// "FID 12.3456 ..." with its terms.
void print_fid(std::ostream &out, const rt::FrechetDistance &fid,
               const ImageSource &a, const ImageSource &b,
               const Classifier &classifier);

// Share of each predicted class, with Fashion-MNIST's class names, and the
// entropy of the distribution.
void print_class_shares(std::ostream &out, const std::vector<int> &predicted,
                        int64_t classes);

} // namespace kiln::cli
