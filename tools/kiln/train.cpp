// kiln train MODEL: the training loop over Fashion-MNIST, with metrics,
// progress, periodic atomic checkpoints, Ctrl-C handling and exact resume.
#include "commands.h"
#include "interrupt.h"
#include "workflow.h"

#include "kiln/runtime/batcher.h"
#include "kiln/runtime/checkpoint.h"
#include "kiln/runtime/error.h"
#include "kiln/runtime/metrics.h"
#include "kiln/runtime/progress.h"
#include "kiln/runtime/threads.h"

#include <fmt/ostream.h>

#include <chrono>
#include <cmath>
#include <iostream>
#include <unistd.h>

namespace kiln::cli {
namespace {

constexpr int64_t kDefaultBatch = 128;

// The entry point to train: --entry, else the model's only train entry
// point, else the one called train_step.
const rt::EntryDesc &train_entry(const rt::ModelDesc &model,
                                 const std::string &name) {
  std::vector<const rt::EntryDesc *> trains;
  std::string names;
  for (const rt::EntryDesc &e : model.entries)
    if (e.kind == "train") {
      trains.push_back(&e);
      names += fmt::format("{}{}", names.empty() ? "" : ", ", e.name);
    }
  if (!name.empty()) {
    const rt::EntryDesc &e = require_entry(model, name);
    if (e.kind != "train")
      throw UsageError(fmt::format(
          "{}.{} is an {} entry point; train entry points: {}", model.name,
          e.name, e.kind, names.empty() ? "none" : names));
    return e;
  }
  if (trains.empty())
    throw UsageError(fmt::format(
        "{} has no train entry point, so it cannot be trained", model.name));
  if (trains.size() == 1)
    return *trains[0];
  if (const rt::EntryDesc *e = model.find_entry("train_step");
      e && e->kind == "train")
    return *e;
  throw UsageError(fmt::format(
      "{} has several train entry points ({}); pick one with --entry",
      model.name, names));
}

// A setting a resumed run must keep: the checkpoint's, unless the user
// gave the same value.
template <class T>
T keep(const std::optional<T> &given, T stored, const char *flag,
       const std::string &checkpoint) {
  if (given && *given != stored)
    throw UsageError(fmt::format(
        "{} {} differs from {} in {}; a resumed run keeps the checkpoint's "
        "value (leave {} out)",
        flag, *given, stored, checkpoint, flag));
  return stored;
}

bool stderr_is_terminal(const std::ostream &err) {
  return &err == &std::cerr && ::isatty(STDERR_FILENO) == 1;
}

// Sums of the outputs since the last log line, for their means.
struct Window {
  std::vector<double> sums;
  int64_t steps = 0;
  void add(const std::vector<rt::Tensor> &outputs) {
    sums.resize(outputs.size(), 0.0);
    for (size_t k = 0; k < outputs.size(); ++k)
      sums[k] += outputs[k].data()[0];
    ++steps;
  }
  double mean(size_t k) const {
    return steps ? sums[k] / static_cast<double>(steps) : 0.0;
  }
  void clear() {
    std::fill(sums.begin(), sums.end(), 0.0);
    steps = 0;
  }
};

} // namespace

int train_command(const TrainOptions &options, std::ostream &out,
                  std::ostream &err) {
  const rt::ModelDesc &model = require_model(options.model);
  const rt::EntryDesc &entry = train_entry(model, options.entry);
  const std::string where = fmt::format("{}.{}", model.name, entry.name);
  if (flat_input_width(entry, "train") != 784)
    throw UsageError(fmt::format(
        "kiln train feeds Fashion-MNIST images [batch, 784] to {}, but it "
        "takes {} pixels per row",
        where, entry.inputs[0].dims[1].size));
  require_scalar_outputs(entry, "train");

  // Settings: given, or from the checkpoint when resuming.
  rt::TrainState state;
  state.entry = std::string(entry.name);
  if (!options.resume.empty()) {
    const rt::CheckpointInfo info = rt::read_checkpoint_info(options.resume);
    if (!info.state.has_optimizer_state)
      throw UsageError(fmt::format("{} holds weights only (no optimizer state "
                                   "or position), so training cannot resume "
                                   "from it",
                                   options.resume));
    if (!info.model.empty() && info.model != model.name)
      throw UsageError(fmt::format("{} is a checkpoint of model '{}', not '{}'",
                                   options.resume, info.model, model.name));
    if (!info.state.entry.empty() && info.state.entry != entry.name)
      throw UsageError(
          fmt::format("{} was trained with {}, not {}; pick it with --entry",
                      options.resume, info.state.entry, entry.name));
    state = info.state;
    state.batch_size =
        keep(options.batch, info.state.batch_size, "--batch", options.resume);
    state.seed = keep(options.seed, info.state.seed, "--seed", options.resume);
    state.data_seed = keep(options.data_seed, info.state.data_seed,
                           "--data-seed", options.resume);
  } else {
    state.batch_size = options.batch.value_or(kDefaultBatch);
    state.seed = options.seed.value_or(0);
    state.data_seed = options.data_seed.value_or(state.seed);
  }

  const rt::ImageSet data =
      rt::load_fashion_mnist(data_dir(options.data), rt::Split::train);
  rt::Batcher batcher(data.count, state.batch_size, state.data_seed);
  const int64_t total = options.steps.value_or(options.epochs.value_or(1) *
                                               batcher.batches_per_epoch());

  // Before any kernel: the Halide pool reads its size when it starts.
  rt::set_num_threads(options.threads);
  rt::Session session(model, state.seed);
  if (!options.resume.empty()) {
    state = rt::load_checkpoint(options.resume, session);
    batcher.seek(state.epoch, state.position);
  }

  // By default a run writes to runs/MODEL, and a resumed run where its
  // checkpoint is.
  std::filesystem::path dir = options.out;
  if (dir.empty())
    dir = options.resume.empty()
              ? std::filesystem::path("runs") / model.name
              : std::filesystem::path(options.resume).parent_path();
  if (dir.empty())
    dir = ".";
  make_parent_dir(dir / "checkpoint.safetensors");
  const std::filesystem::path checkpoint = dir / "checkpoint.safetensors";

  fmt::print(out,
             "training {}: {} images, batch {} ({} steps per epoch), seed {}, "
             "data seed {}, threads {}\n",
             where, data.count, state.batch_size, batcher.batches_per_epoch(),
             state.seed, state.data_seed,
             options.threads ? std::to_string(options.threads) : "default");
  if (!options.resume.empty())
    fmt::print(out, "resuming from {} at step {} (epoch {}, batch {})\n",
               options.resume, state.step, state.epoch, state.position);
  if (state.step >= total) {
    fmt::print(out, "already at step {}: nothing to do for {} steps\n",
               state.step, total);
    return kExitOk;
  }
  fmt::print(out, "steps {} to {}; writing {}\n", state.step + 1, total,
             dir.string());

  rt::MetricsWriter metrics(dir / "metrics.jsonl",
                            options.resume.empty()
                                ? std::nullopt
                                : std::optional<int64_t>(state.step));
  rt::Progress progress(err, total, state.step, stderr_is_terminal(err),
                        options.log_every);
  std::vector<rt::Tensor> outputs(entry.outputs.size());
  std::vector<rt::Tensor *> output_ptrs;
  for (rt::Tensor &t : outputs)
    output_ptrs.push_back(&t);
  std::vector<rt::NamedValue> shown(entry.outputs.size());
  Window window;
  int64_t saved_step = state.step;
  const auto start = std::chrono::steady_clock::now();
  auto save = [&] {
    rt::save_checkpoint(checkpoint, session, state);
    saved_step = state.step;
  };

  InterruptGuard interrupt;
  while (state.step < total) {
    const rt::Tensor x = data.images(batcher.next(), rt::PixelRange::unit);
    const rt::Tensor *input = &x;
    session.run(entry.name, std::span(&input, 1), output_ptrs);
    const float loss = outputs[0].data()[0];
    if (!std::isfinite(loss)) {
      progress.finish();
      throw rt::Error(fmt::format(
          "{} is {} at step {}; stopped without saving (the last checkpoint, "
          "{}, is at step {})",
          entry.outputs[0].name, loss, state.step + 1, checkpoint.string(),
          saved_step));
    }
    ++state.step;
    state.epoch = batcher.epoch();
    state.position = batcher.position();
    window.add(outputs);

    const bool last = state.step == total;
    const bool stop = interrupt.requested();
    for (size_t k = 0; k < outputs.size(); ++k)
      shown[k] = {entry.outputs[k].name, window.mean(k)};
    progress.update(state.step, shown);
    if (state.step % options.log_every == 0 || last || stop) {
      const std::chrono::duration<double> wall =
          std::chrono::steady_clock::now() - start;
      rt::Json::Object record{{"step", rt::Json(state.step)},
                              {"epoch", rt::Json(state.epoch)}};
      for (size_t k = 0; k < outputs.size(); ++k)
        record.emplace_back(entry.outputs[k].name, rt::Json(window.mean(k)));
      record.emplace_back("steps_per_s", rt::Json(progress.steps_per_second()));
      record.emplace_back("wall_s", rt::Json(wall.count()));
      metrics.write(record);
      window.clear();
    }
    if (state.step % options.checkpoint_every == 0 || last || stop)
      save();
    if (stop) {
      progress.finish();
      fmt::print(out,
                 "interrupted: stopped after step {}; checkpoint saved to {}\n"
                 "resume with: kiln train {} --resume {}{}\n",
                 state.step, checkpoint.string(), model.name,
                 checkpoint.string(),
                 options.steps
                     ? fmt::format(" --steps {}", total)
                     : fmt::format(" --epochs {}", options.epochs.value_or(1)));
      return kExitInterrupted;
    }
  }
  progress.finish();
  const std::chrono::duration<double> wall =
      std::chrono::steady_clock::now() - start;
  std::string last_values;
  for (size_t k = 0; k < outputs.size(); ++k)
    last_values +=
        fmt::format("  {} {:.6g}", entry.outputs[k].name, outputs[k].data()[0]);
  fmt::print(out,
             "done: step {} (epoch {}, batch {}) in {:.1f} s, {:.3g} "
             "steps/s\nlast step:{}\ncheckpoint: {}\nmetrics: {}\n",
             state.step, state.epoch, state.position, wall.count(),
             progress.steps_per_second(), last_values, checkpoint.string(),
             metrics.path().string());
  return kExitOk;
}

} // namespace kiln::cli
