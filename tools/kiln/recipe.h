// How kiln feeds a model's entry points from Fashion-MNIST, decided from the
// entry points' inputs (the "recipe"; docs/training.md):
//
//   images  an input with 784 values per row: [batch, 784], [batch, 28, 28]
//           or [batch, 1, 28, 28]; pixels in the model's range (below)
//   onehot  an input named `onehot`, [batch, 10]: the batch's labels, one-hot
//   latent  an input named `z`, [batch, L]: z ~ N(0, I), drawn on the host
//
// A model's pixel range is [-1, 1] when it has a `generate` entry point (a
// GAN's tanh output; MODELS.md scales its data the same way) and [0, 1]
// otherwise (the VAE, the classifier). Images leave generation entry points
// (`generate`, `decode_probs`) in that range too.
#pragma once

#include "commands.h"

#include "kiln/runtime/fashion_mnist.h"
#include "kiln/runtime/model.h"
#include "kiln/runtime/session.h"
#include "kiln/runtime/tensor.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace kiln::cli {

inline constexpr int64_t kImagePixels = 28 * 28;

rt::PixelRange model_pixel_range(const rt::ModelDesc &model);
const char *range_name(rt::PixelRange range); // "[0, 1]", "[-1, 1]"

// MODELS.md's training batch: 64 for `gan`, 128 for every other model.
int64_t default_train_batch(const rt::ModelDesc &model);

enum class Feed { images, onehot, latent };

struct InputFeed {
  Feed feed;
  std::vector<int64_t> shape_after_batch; // e.g. {1, 28, 28}, {10}, {64}
};

struct EntryFeeds {
  const rt::EntryDesc *entry = nullptr;
  std::vector<InputFeed> inputs;
  int64_t latent_width = 0; // of its `z` input; 0 without one
};

// How to feed `entry`; throws UsageError naming the input that fits none of
// the kinds above (or whose batch dimension is not symbolic).
EntryFeeds entry_feeds(const rt::ModelDesc &model, const rt::EntryDesc &entry,
                       const char *command);

// One batch, in the forms the feeds take.
struct Batch {
  rt::Tensor images;       // [B, 784] in the model's range
  std::vector<int> labels; // [B]
  rt::Tensor z;            // [B, L] when an entry takes latents
};

Batch load_batch(const rt::ImageSet &data, std::span<const int64_t> indices,
                 rt::PixelRange range);

// The inputs of `feeds` for `batch`, shaped as the entry point declares.
std::vector<rt::Tensor> entry_inputs(const EntryFeeds &feeds,
                                     const Batch &batch);

// A generation entry point: latents z [batch, L] to images.
struct Generator {
  const rt::EntryDesc *entry = nullptr;
  int64_t latent = 0;     // L
  rt::PixelRange range{}; // of its images
};

// `name`, or else `generate` (images in [-1, 1]) or `decode_probs` (in
// [0, 1]); its input must be [batch, L] and its first output one image of
// 784 pixels per row. Throws UsageError otherwise.
Generator generation_entry(const rt::ModelDesc &model, const std::string &name,
                           const char *command);

// Images [N, ...] (N rows of 784 values) as [N, 784] in [0, 1].
rt::Tensor unit_images(const rt::Tensor &images, rt::PixelRange range);

// z ~ N(0, I) [n, L] from Philox stream kLatentStream of `seed`: row i is
// the same for every n.
rt::Tensor sample_latents(int64_t n, int64_t latent, uint64_t seed);

// The generator's images for the rows of `z`, in batches of `batch`, as
// [N, 784] in [0, 1].
rt::Tensor generate_images(rt::Session &session, const Generator &generator,
                           const rt::Tensor &z, int64_t batch);

} // namespace kiln::cli
