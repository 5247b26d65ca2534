// How kiln feeds a model's entry points from Fashion-MNIST, decided from
// what the model says its inputs are (kiln.data, the model's contract;
// docs/training.md):
//
//   images  [batch, 784], [batch, 28, 28] or [batch, 1, 28, 28]: pixels in
//           the range the input states ([0, 1] or [-1, 1], say)
//   onehot  [batch, 10]: the batch's labels, one-hot
//   noise   [batch, L]: z ~ N(0, I), drawn on the host
//   latent  [batch, L]: encodings of the images, read from a file that
//           kiln encode wrote (a latent diffusion model's data)
//   text    i32 [batch, T]: windows of T bytes of a text corpus (and
//           next_text, the byte after each), for a language model
//   source  i32 [batch, S]: a sequence task's input (with text and
//           next_text the target, shifted: kiln/runtime/sequence_task.h)
//
// Images leave a generation entry point in the range its output states.
#pragma once

#include "commands.h"
#include "contract.h"

#include "kiln/runtime/fashion_mnist.h"
#include "kiln/runtime/model.h"
#include "kiln/runtime/session.h"
#include "kiln/runtime/tensor.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace kiln::cli {

inline constexpr int64_t kImagePixels = 28 * 28;

std::string range_name(rt::PixelRange range); // "[0, 1]", "[-1, 1]"

// The batch the model trains with (kiln.batch of the step's entry points),
// or 128 when it states none. Throws UsageError when they disagree.
int64_t default_train_batch(const std::vector<const rt::EntryDesc *> &step);

enum class Feed { images, onehot, noise, latent, text, next_text, source };

struct InputFeed {
  Feed feed;
  std::vector<int64_t> shape_after_batch; // e.g. {1, 28, 28}, {10}, {64}
};

struct EntryFeeds {
  const rt::EntryDesc *entry = nullptr;
  std::vector<InputFeed> inputs;
  int64_t noise_width = 0;             // of its noise input; 0 without one
  int64_t latent_width = 0;            // of its latent input; 0 without
  int64_t text_length = 0;             // T of its text inputs; 0 without
  int64_t source_length = 0;           // S of its source input; 0 without
  std::optional<rt::PixelRange> range; // of its images input, if any
};

// How to feed `entry`; throws UsageError naming the input whose meaning is
// unstated or that does not fit the kinds above.
EntryFeeds entry_feeds(const rt::ModelDesc &model, const rt::EntryDesc &entry,
                       const char *command);

// One batch, in the forms the feeds take.
struct Batch {
  rt::Tensor images;       // [B, 784] in the model's range
  std::vector<int> labels; // [B]
  rt::Tensor z;            // [B, L] noise, when an entry takes noise
  rt::Tensor latents;      // [B, L] encodings, when an entry takes them
  rt::Tensor text;         // i32 [B, T] windows of a text
  rt::Tensor next_text;    // i32 [B, T] the bytes after them
  rt::Tensor source;       // i32 [B, S] a sequence task's inputs
};

// Images `indices` of `data`, and their labels when it has them.
Batch load_batch(const rt::ImageSet &data, std::span<const int64_t> indices,
                 rt::PixelRange range);

// Throws UsageError when `feeds` take one-hot labels and `data` (read from
// `source`, as describe_image_data says it) has none.
void require_labels(const EntryFeeds &feeds, const rt::ImageSet &data,
                    const std::string &source);
// Throws UsageError when a label of `data` is `classes` or more: `what`
// ("classifier.logits") has that many.
void require_classes(const rt::ImageSet &data, int64_t classes,
                     const std::string &source, const std::string &what);

// The inputs of `feeds` for `batch`, shaped as the entry point declares.
std::vector<rt::Tensor> entry_inputs(const EntryFeeds &feeds,
                                     const Batch &batch);

// The inputs of `feeds` for the first n images of `data` and their labels
// (an entry point that evaluates, reconstructs or encodes them; it takes
// no noise).
std::vector<rt::Tensor> data_inputs(const EntryFeeds &feeds,
                                    const rt::ImageSet &data, int64_t n);

// What a generation entry point is: noise z [batch, L] (and, for a
// conditional model, one-hot labels) to images.
Need generation_need();

// A generation entry point.
struct Generator {
  const rt::EntryDesc *entry = nullptr;
  int64_t latent = 0;     // L
  rt::PixelRange range{}; // of its images
  int64_t classes = 0;    // of its one-hot labels input; 0 without one
};

// `name`, or else the first infer entry point that consumes noise (and
// maybe one-hot labels) and produces images (contract.h); its noise must
// be [batch, L] and its first output one image of 784 pixels per row.
// Throws UsageError otherwise.
Generator generation_entry(const rt::ModelDesc &model, const std::string &name,
                           const char *command);

// The generator's inputs, in its order: `z` for its noise and `labels`
// one-hot for a conditional generator's labels.
std::vector<rt::Tensor> generator_inputs(const Generator &generator,
                                         const rt::Tensor &z,
                                         std::span<const int> labels);

// Labels [n] as one-hot rows [n, classes].
rt::Tensor one_hot(std::span<const int> labels, int64_t classes);

// Images [N, ...] (N rows of 784 values) as [N, 784] in [0, 1]. Throws
// rt::Error for a value that is not finite.
rt::Tensor unit_images(const rt::Tensor &images, rt::PixelRange range);
// The reverse: images in [0, 1] mapped to `range`, same shape.
rt::Tensor images_in_range(const rt::Tensor &unit, rt::PixelRange range);

// z ~ N(0, I) [n, L] from Philox stream kLatentStream of `seed`: row i is
// the same for every n.
rt::Tensor sample_latents(int64_t n, int64_t latent, uint64_t seed);

// The generator's images for the rows of `z` (and of `labels`, one per row,
// for a conditional generator), in batches of `batch`, as [N, 784] in
// [0, 1].
rt::Tensor generate_images(rt::Session &session, const Generator &generator,
                           const rt::Tensor &z, std::span<const int> labels,
                           int64_t batch);

} // namespace kiln::cli
