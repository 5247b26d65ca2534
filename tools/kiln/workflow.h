// What the commands that train or use a trained model share: finding the
// entry points they need, loading checkpoints and data, and calling an
// entry point over a whole data set in batches.
#pragma once

#include "commands.h"

#include "kiln/runtime/fashion_mnist.h"
#include "kiln/runtime/model.h"
#include "kiln/runtime/session.h"
#include "kiln/runtime/tensor.h"

#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace kiln::cli {

// Checks that `entry` takes one input [symbol, d1, d2, ...] with static
// d1, d2, ... and returns their product: the values per row (784 for
// [batch, 784] or [batch, 1, 28, 28]). Throws UsageError otherwise.
int64_t row_input_width(const rt::EntryDesc &entry, const char *command);

// The static dimensions after the first of `t` (its shape per row).
std::vector<int64_t> shape_after_batch(const rt::TensorDesc &t);

// Checks that every output of `entry` is a scalar (loss terms).
void require_scalar_outputs(const rt::EntryDesc &entry, const char *command);

// Checks that every output of `entry` has the batch dimension first, like
// its input, so batched results can be concatenated.
void require_batched_outputs(const rt::EntryDesc &entry, const char *command);

// True when `err` is the process's standard error and that is a terminal:
// progress lines are then redrawn in place, else printed every N steps.
bool stderr_is_terminal(const std::ostream &err);

// A session of `options.model` with the checkpoint's tensors loaded, after
// setting the thread count. Prints one line about the checkpoint to `out`.
std::unique_ptr<rt::Session> open_session(const ModelOptions &options,
                                          std::ostream &out);

// The images and labels `--data` names (kiln/runtime/image_data.h): the
// Fashion-MNIST split by default. Throws UsageError unless they have the
// 784 pixels (28 x 28) the commands feed.
rt::ImageSet load_data(const std::string &option, rt::Split split);
rt::Split require_split(const std::string &name);

// Calls `entry` (one input, [N, ...]) on rows [i, i + batch) of `x` for
// every i and concatenates each output along its first dimension. The last
// batch may be smaller: batch sizes are symbolic. Rows of `x` are reshaped
// to the entry's input ([N, 784] rows feed a [batch, 1, 28, 28] input).
std::vector<rt::Tensor> run_rows(rt::Session &session,
                                 const rt::EntryDesc &entry,
                                 const rt::Tensor &x, int64_t batch);
// The same with one tensor [N, ...] per input of `entry`, sliced alike.
std::vector<rt::Tensor> run_rows(rt::Session &session,
                                 const rt::EntryDesc &entry,
                                 const std::vector<rt::Tensor> &inputs,
                                 int64_t batch);

// The same for scalar outputs that are batch means: the mean over all rows
// (each batch's value weighted by its size).
std::vector<double> run_means(rt::Session &session, const rt::EntryDesc &entry,
                              const rt::Tensor &x, int64_t batch);
std::vector<double> run_means(rt::Session &session, const rt::EntryDesc &entry,
                              const std::vector<rt::Tensor> &inputs,
                              int64_t batch);

// Images for commands that read them from a file: the tensor `tensor` of the
// safetensors file `path`, or its only tensor, or the one named "x"; [N, P]
// or [N, ...] with P values per row, every value in [0, 1] (within 1e-6, for
// images that went through float arithmetic). Throws
// UsageError when no tensor is chosen, rt::Error for another shape, a value
// outside [0, 1] or one that is not finite.
rt::Tensor read_images_file(const std::string &path, const std::string &tensor,
                            int64_t width);

// Latents [N, width] for a model that consumes them: the tensor of the
// safetensors file `path` that its metadata names as "latent" (kiln encode
// writes it), else its only f32 tensor [N, width]. Throws UsageError when
// `path` is empty or no tensor is chosen, rt::Error for another shape or a
// value that is not finite.
rt::Tensor read_latents_file(const std::string &path, int64_t width);

// Throws rt::Error unless `value` is finite: a metric that is NaN or
// infinite is a failure to report, never a number (`what`: "vae.loss
// output 'recon' over the test split").
void require_finite(double value, const std::string &what);

// Creates the directory that will hold `file`, if it has one.
void make_parent_dir(const std::filesystem::path &file);

} // namespace kiln::cli
