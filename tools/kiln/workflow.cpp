#include "workflow.h"

#include "recipe.h"

#include "kiln/runtime/checkpoint.h"
#include "kiln/runtime/ema.h"
#include "kiln/runtime/error.h"
#include "kiln/runtime/image_data.h"
#include "kiln/runtime/safetensors.h"
#include "kiln/runtime/shapes.h"
#include "kiln/runtime/threads.h"

#include <fmt/ostream.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <stdexcept>

#include <unistd.h>

namespace kiln::cli {
namespace {

// Rows [begin, end) of a row-major tensor, shaped [end - begin] + `row`
// when `row` has as many values as a row of x (else as x's rows).
rt::Tensor rows(const rt::Tensor &x, int64_t begin, int64_t end,
                const std::vector<int64_t> &row) {
  std::vector<int64_t> shape = x.shape();
  const int64_t width = x.numel() / std::max<int64_t>(shape[0], 1);
  int64_t row_values = 1;
  for (int64_t d : row)
    row_values *= d;
  if (row_values == width) {
    shape = row;
    shape.insert(shape.begin(), 0);
  }
  shape[0] = end - begin;
  if (x.dtype() == rt::DType::i32)
    return rt::Tensor::of_ints(
        shape,
        std::vector<int32_t>(x.ints() + begin * width, x.ints() + end * width));
  return rt::Tensor(shape, std::vector<float>(x.data() + begin * width,
                                              x.data() + end * width));
}

std::string inputs_string(const rt::EntryDesc &entry) {
  std::string inputs;
  for (const rt::TensorDesc &t : entry.inputs)
    inputs += fmt::format("{}{} {}", inputs.empty() ? "" : ", ", t.name,
                          rt::dims_string(t.dims));
  return inputs.empty() ? "no inputs" : inputs;
}

} // namespace

int64_t row_input_width(const rt::EntryDesc &entry, const char *command) {
  bool ok = entry.inputs.size() == 1 && entry.inputs[0].dims.size() >= 2 &&
            !entry.inputs[0].dims[0].symbol.empty();
  int64_t width = 1;
  for (size_t d = 1; ok && d < entry.inputs[0].dims.size(); ++d) {
    ok = entry.inputs[0].dims[d].symbol.empty();
    width *= entry.inputs[0].dims[d].size;
  }
  if (!ok)
    throw UsageError(fmt::format(
        "kiln {} feeds one batch of images ([batch, pixels] or [batch, 1, "
        "28, 28]) to {}, but it takes {}",
        command, entry.name, inputs_string(entry)));
  return width;
}

std::vector<int64_t> shape_after_batch(const rt::TensorDesc &t) {
  std::vector<int64_t> shape;
  for (size_t d = 1; d < t.dims.size(); ++d)
    shape.push_back(t.dims[d].size);
  return shape;
}

void require_scalar_outputs(const rt::EntryDesc &entry, const char *command) {
  for (const rt::TensorDesc &t : entry.outputs)
    if (!t.dims.empty())
      throw UsageError(fmt::format(
          "kiln {} expects {} to return scalars (loss terms), but output "
          "'{}' is {}",
          command, entry.name, t.name, rt::dims_string(t.dims)));
  if (entry.outputs.empty())
    throw UsageError(
        fmt::format("kiln {}: {} returns nothing", command, entry.name));
}

void require_batched_outputs(const rt::EntryDesc &entry, const char *command) {
  const std::string_view batch = entry.inputs.at(0).dims.at(0).symbol;
  for (const rt::TensorDesc &t : entry.outputs)
    if (t.dims.empty() || t.dims[0].symbol != batch)
      throw UsageError(fmt::format(
          "kiln {} expects every output of {} to have one row per input "
          "image ([{}, ...]), but '{}' is {}",
          command, entry.name, batch, t.name, rt::dims_string(t.dims)));
}

bool stderr_is_terminal(const std::ostream &err) {
  return &err == &std::cerr && ::isatty(STDERR_FILENO) == 1;
}

std::unique_ptr<rt::Session> open_session(const ModelOptions &options,
                                          std::ostream &out) {
  const rt::ModelDesc &model = require_model(options.model);
  if (options.checkpoint.empty())
    throw UsageError("missing --checkpoint FILE (a checkpoint.safetensors "
                     "written by kiln train, or weights)");
  rt::set_num_threads(options.threads);
  auto session = std::make_unique<rt::Session>(model, options.seed);
  const rt::TrainState state =
      rt::load_checkpoint(options.checkpoint, *session);
  if (options.ema) {
    if (rt::ema_count(model) == 0)
      throw UsageError(fmt::format("--ema: {} keeps no moving average of its "
                                   "weights (a train entry point compiled "
                                   "with ema, kiln/dsl/optim.h)",
                                   model.name));
    if (state.ema_from_weights)
      throw UsageError(fmt::format(
          "--ema: {} holds no moving average of the weights (written before "
          "{} kept one); leave --ema out, or train on from it with --resume "
          "and a larger --steps",
          options.checkpoint, model.name));
    if (!state.has_optimizer_state || state.step == 0)
      throw UsageError(fmt::format(
          "--ema: {} holds {}", options.checkpoint,
          state.has_optimizer_state
              ? "no average yet (step 0)"
              : "weights only, not the moving average (a checkpoint of kiln "
                "train holds it)"));
    rt::use_ema_weights(*session);
  }
  const char *which = options.ema ? ", its moving average of the weights" : "";
  if (state.has_optimizer_state)
    fmt::print(out, "checkpoint {}: {} at step {} (epoch {}){}\n",
               options.checkpoint, model.name, state.step, state.epoch, which);
  else
    fmt::print(out, "weights {}: {}\n", options.checkpoint, model.name);
  return session;
}

rt::ImageSet load_data(const std::string &option, rt::Split split) {
  // Checked as soon as the size is known: a folder of large photos is
  // refused before it is read whole.
  return rt::load_image_data(option, split, [&](int64_t rows, int64_t cols) {
    if (rows * cols != kImagePixels)
      throw UsageError(fmt::format(
          "{}: images are {} x {}; kiln feeds 28 x 28 (784-pixel) images",
          rt::describe_image_data(option, split), rows, cols));
  });
}

rt::Split require_split(const std::string &name) {
  if (const auto split = rt::parse_split(name))
    return *split;
  throw UsageError(
      fmt::format("unknown split '{}'; splits: train, test", name));
}

namespace {

// Calls `entry` on rows [begin, end) of every input, for each batch of
// rows, and hands each call's outputs and row count to `take`.
template <class Take>
void for_each_batch(rt::Session &session, const rt::EntryDesc &entry,
                    const std::vector<rt::Tensor> &inputs, int64_t batch,
                    std::vector<rt::Tensor> &outputs, Take &&take) {
  if (inputs.size() != entry.inputs.size())
    throw std::logic_error("run_rows: one tensor per input of the entry");
  const int64_t n = inputs.at(0).dim(0);
  std::vector<rt::Tensor *> output_ptrs;
  for (rt::Tensor &t : outputs)
    output_ptrs.push_back(&t);
  std::vector<std::vector<int64_t>> row_shapes;
  for (const rt::TensorDesc &t : entry.inputs)
    row_shapes.push_back(shape_after_batch(t));
  std::vector<rt::Tensor> parts(inputs.size());
  std::vector<const rt::Tensor *> part_ptrs;
  for (const rt::Tensor &t : parts)
    part_ptrs.push_back(&t);
  for (int64_t begin = 0; begin < n; begin += batch) {
    const int64_t end = std::min(n, begin + batch);
    for (size_t k = 0; k < inputs.size(); ++k)
      parts[k] = rows(inputs[k], begin, end, row_shapes[k]);
    session.run(entry.name, part_ptrs, output_ptrs);
    take(end - begin);
  }
}

} // namespace

std::vector<rt::Tensor> run_rows(rt::Session &session,
                                 const rt::EntryDesc &entry,
                                 const std::vector<rt::Tensor> &inputs,
                                 int64_t batch) {
  std::vector<std::vector<float>> values(entry.outputs.size());
  std::vector<std::vector<int64_t>> shapes(entry.outputs.size());
  std::vector<rt::Tensor> outputs(entry.outputs.size());
  for_each_batch(session, entry, inputs, batch, outputs, [&](int64_t) {
    for (size_t k = 0; k < outputs.size(); ++k) {
      values[k].insert(values[k].end(), outputs[k].values().begin(),
                       outputs[k].values().end());
      shapes[k] = outputs[k].shape();
    }
  });
  std::vector<rt::Tensor> results;
  for (size_t k = 0; k < outputs.size(); ++k) {
    shapes[k].at(0) = inputs.at(0).dim(0);
    results.emplace_back(shapes[k], std::move(values[k]));
  }
  return results;
}

std::vector<rt::Tensor> run_rows(rt::Session &session,
                                 const rt::EntryDesc &entry,
                                 const rt::Tensor &x, int64_t batch) {
  return run_rows(session, entry, std::vector<rt::Tensor>{x}, batch);
}

std::vector<double> run_means(rt::Session &session, const rt::EntryDesc &entry,
                              const std::vector<rt::Tensor> &inputs,
                              int64_t batch) {
  std::vector<double> sums(entry.outputs.size(), 0.0);
  std::vector<rt::Tensor> outputs(entry.outputs.size());
  for_each_batch(session, entry, inputs, batch, outputs, [&](int64_t rows) {
    for (size_t k = 0; k < outputs.size(); ++k)
      sums[k] +=
          static_cast<double>(outputs[k].data()[0]) * static_cast<double>(rows);
  });
  for (double &s : sums)
    s /= static_cast<double>(inputs.at(0).dim(0));
  return sums;
}

std::vector<double> run_means(rt::Session &session, const rt::EntryDesc &entry,
                              const rt::Tensor &x, int64_t batch) {
  return run_means(session, entry, std::vector<rt::Tensor>{x}, batch);
}

rt::Tensor read_images_file(const std::string &path, const std::string &tensor,
                            int64_t width) {
  rt::SafetensorsFile file = rt::read_safetensors(path);
  std::string names;
  for (const rt::NamedTensor &t : file.tensors)
    names += fmt::format("{}{}", names.empty() ? "" : ", ", t.name);
  const rt::NamedTensor *chosen = nullptr;
  if (!tensor.empty())
    chosen = file.find(tensor);
  else if (file.tensors.size() == 1)
    chosen = &file.tensors[0];
  else
    chosen = file.find("x");
  if (chosen == nullptr)
    throw UsageError(fmt::format(
        "{}: {}; tensors: {}", path,
        tensor.empty()
            ? "several tensors and none named 'x': pick one with --tensor"
            : fmt::format("no tensor '{}'", tensor),
        names.empty() ? "none" : names));
  const rt::Tensor &t = chosen->tensor;
  const int64_t per_row =
      t.rank() >= 1 && t.dim(0) > 0 ? t.numel() / t.dim(0) : 0;
  if (t.rank() < 2 || t.dim(0) == 0 || per_row != width)
    throw rt::Error(fmt::format("{}: tensor '{}' is {}; expected [N, {}] "
                                "images (or [N, H, W] with H * W = {})",
                                path, chosen->name, t.shape_string(), width,
                                width));
  // NaN compares false both ways, so it is looked for first.
  if (const int64_t at = rt::first_non_finite(t.values()); at >= 0)
    throw rt::Error(fmt::format("{}: tensor '{}': pixel {} of image {} is {}; "
                                "kiln takes pixels in [0, 1]",
                                path, chosen->name, at % width, at / width,
                                t.data()[at]));
  const auto [lo, hi] = std::ranges::minmax(t.values());
  if (!(lo >= -1e-6f && hi <= 1.0f + 1e-6f))
    throw rt::Error(fmt::format(
        "{}: tensor '{}': values in [{}, {}], but kiln takes pixels in [0, "
        "1] (map [-1, 1] images with (x + 1) / 2)",
        path, chosen->name, lo, hi));
  return rt::Tensor({t.dim(0), width},
                    std::vector<float>(t.values().begin(), t.values().end()));
}

rt::Tensor read_latents_file(const std::string &path, int64_t width) {
  if (path.empty())
    throw UsageError("a model that consumes latents trains on a file of "
                     "them: --data LATENTS.safetensors, as kiln encode "
                     "writes it (kiln encode vae --checkpoint CKPT --split "
                     "train --out LATENTS.safetensors)");
  rt::SafetensorsFile file = rt::read_safetensors(path);
  std::string names;
  std::vector<const rt::NamedTensor *> fitting;
  for (const rt::NamedTensor &t : file.tensors) {
    names += fmt::format("{}{} {}", names.empty() ? "" : ", ", t.name,
                         t.tensor.shape_string());
    if (t.tensor.dtype() == rt::DType::f32 && t.tensor.rank() == 2 &&
        t.tensor.dim(1) == width)
      fitting.push_back(&t);
  }
  const rt::NamedTensor *chosen = nullptr;
  if (const std::string *name = file.meta("latent")) {
    chosen = file.find(*name);
    if (!chosen)
      throw rt::Error(fmt::format("{}: its metadata names the latents '{}', "
                                  "but it has no such tensor (tensors: {})",
                                  path, *name, names));
  } else if (fitting.size() == 1) {
    chosen = fitting[0];
  } else {
    throw UsageError(fmt::format(
        "{}: no metadata names its latents (kiln encode writes \"latent\") "
        "and {} f32 tensor is [N, {}]; tensors: {}",
        path, fitting.empty() ? "no" : "more than one", width,
        names.empty() ? "none" : names));
  }
  const rt::Tensor &t = chosen->tensor;
  if (t.dtype() != rt::DType::f32 || t.rank() != 2 || t.dim(1) != width ||
      t.dim(0) == 0)
    throw rt::Error(fmt::format("{}: the latents '{}' are {}; the model "
                                "consumes [N, {}] f32 with N > 0",
                                path, chosen->name, t.shape_string(), width));
  if (const int64_t i = rt::first_non_finite(t.values()); i >= 0)
    throw rt::Error(fmt::format("{}: latent {} of row {} of '{}' is {}", path,
                                i % width, i / width, chosen->name,
                                t.data()[i]));
  return t;
}

void require_finite(double value, const std::string &what) {
  if (!std::isfinite(value))
    throw rt::Error(fmt::format("{} is {}: the model's numbers broke down "
                                "(weights or inputs that overflow)",
                                what, value));
}

void make_parent_dir(const std::filesystem::path &file) {
  if (file.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path(), ec);
    if (ec)
      throw rt::Error(fmt::format("cannot create directory {}: {}",
                                  file.parent_path().string(), ec.message()));
  }
}

} // namespace kiln::cli
