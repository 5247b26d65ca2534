// kiln train MODEL: the training loop over Fashion-MNIST, with metrics,
// progress, periodic atomic checkpoints, Ctrl-C handling and exact resume.
// A step calls one train entry point (the VAE's train_step) or several in
// order (a GAN's d_step then g_step), each fed by the recipe of recipe.h.
#include "commands.h"
#include "contract.h"
#include "data_parallel.h"
#include "interrupt.h"
#include "recipe.h"
#include "run_lock.h"
#include "workflow.h"

#include "kiln/runtime/batcher.h"
#include "kiln/runtime/checkpoint.h"
#include "kiln/runtime/device.h"
#include "kiln/runtime/error.h"
#include "kiln/runtime/image_data.h"
#include "kiln/runtime/kernel_variants.h"
#include "kiln/runtime/lr_schedule.h"
#include "kiln/runtime/metrics.h"
#include "kiln/runtime/progress.h"
#include "kiln/runtime/random.h"
#include "kiln/runtime/sequence_task.h"
#include "kiln/runtime/text_data.h"
#include "kiln/runtime/threads.h"

#include <fmt/ostream.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ranges>

namespace kiln::cli {
namespace {

std::string join(const std::vector<const rt::EntryDesc *> &entries,
                 std::string_view separator) {
  return fmt::format(
      "{}",
      fmt::join(entries | std::views::transform([](const rt::EntryDesc *e) {
                  return std::string_view(e->name);
                }),
                separator));
}

// "a,b,c" -> {"a", "b", "c"} (empty names kept: they fail as unknown).
std::vector<std::string> split_names(const std::string &names) {
  std::vector<std::string> out;
  size_t begin = 0;
  while (begin <= names.size()) {
    size_t end = names.find(',', begin);
    if (end == std::string::npos)
      end = names.size();
    out.push_back(names.substr(begin, end - begin));
    begin = end + 1;
  }
  return out;
}

// The entry points one training step calls, in order: --entry (a name, or
// names separated by commas), else the model's only train entry point that
// no sequence runs a part of (a GAN's train_step: d_step then g_step in one
// call).
std::vector<const rt::EntryDesc *> train_entries(const rt::ModelDesc &model,
                                                 const std::string &option) {
  std::vector<const rt::EntryDesc *> trains;
  for (const rt::EntryDesc &e : model.entries)
    if (e.kind == "train")
      trains.push_back(&e);
  const std::string names = trains.empty() ? "none" : join(trains, ", ");
  if (!option.empty()) {
    std::vector<const rt::EntryDesc *> chosen;
    for (const std::string &name : split_names(option)) {
      const rt::EntryDesc &e = require_entry(model, name);
      if (e.kind != "train")
        throw UsageError(
            fmt::format("{}.{} is an {} entry point; train entry points: {}",
                        model.name, e.name, e.kind, names));
      if (std::ranges::find(chosen, &e) != chosen.end())
        throw UsageError(fmt::format("--entry names {} twice", e.name));
      chosen.push_back(&e);
    }
    return chosen;
  }
  return {&default_train_entry(model)};
}

// The entry points a step made of `names` (joined by commas) runs, a
// sequence (train_step) standing for its parts (d_step,g_step): a run of
// one resumes a checkpoint of the other.
std::string step_parts(const rt::ModelDesc &model, const std::string &names) {
  std::string parts;
  for (const std::string &name : split_names(names)) {
    const rt::EntryDesc *e = model.find_entry(name);
    if (e && !e->sequence.empty())
      for (std::string_view part : e->sequence)
        parts += fmt::format("{}{}", parts.empty() ? "" : ",", part);
    else
      parts += fmt::format("{}{}", parts.empty() ? "" : ",", name);
  }
  return parts;
}

// What the metrics and the progress line call output k of entry e: its
// name, or "entry.name" when two entry points of the step share it or it
// is one of the metrics' own fields (a loss called "step" must not replace
// the step a resumed run trims the metrics by).
std::vector<std::string>
value_names(const std::vector<const rt::EntryDesc *> &entries) {
  static constexpr std::string_view kFields[] = {"step", "epoch", "lr",
                                                 "steps_per_s", "wall_s"};
  std::vector<std::string> names;
  for (const rt::EntryDesc *e : entries)
    for (const rt::TensorDesc &t : e->outputs) {
      int uses = 0;
      for (const rt::EntryDesc *other : entries)
        for (const rt::TensorDesc &u : other->outputs)
          uses += u.name == t.name;
      const bool field =
          std::ranges::find(kFields, t.name) != std::end(kFields);
      names.push_back(uses > 1 || field ? fmt::format("{}.{}", e->name, t.name)
                                        : std::string(t.name));
    }
  return names;
}

// One entry point of the step: how it is fed, and its outputs. With
// --data-parallel it runs as its two halves (kilnc --data-parallel): the
// gradients of this process's rows, averaged across processes, then the
// update.
struct StepCall {
  EntryFeeds feeds;
  std::vector<rt::Tensor> outputs;
  std::vector<rt::Tensor *> output_ptrs;
  const rt::EntryDesc *gradients = nullptr, *update = nullptr;
  std::vector<rt::Tensor> halves; // gradients' outputs: outputs, then grads
  std::vector<rt::Tensor *> half_ptrs;
  std::unique_ptr<GradientAverager> averager; // of halves, --data-parallel
};

// ENTRY_gradients or ENTRY_update of a train entry point.
const rt::EntryDesc &split_half(const rt::ModelDesc &model,
                                const rt::EntryDesc &train,
                                std::string_view half) {
  const std::string name = fmt::format("{}_{}", train.name, half);
  const rt::EntryDesc *e = model.find_entry(name);
  if (e == nullptr || e->kind != half)
    throw UsageError(fmt::format(
        "--data-parallel: model {} has no {} entry point {}; build it with "
        "kiln_add_model({} ... DATA_PARALLEL) (docs/training.md)",
        model.name, half, name, model.name));
  return *e;
}

// The step's train entry points, a sequence replaced by its parts: what
// --data-parallel splits (a sequence's parts are each reduced on their
// own, in order, as the sequence would run them).
std::vector<const rt::EntryDesc *>
sequence_parts(const rt::ModelDesc &model,
               const std::vector<const rt::EntryDesc *> &entries) {
  std::vector<const rt::EntryDesc *> parts;
  for (const rt::EntryDesc *e : entries) {
    if (e->sequence.empty()) {
      parts.push_back(e);
      continue;
    }
    for (std::string_view part : e->sequence)
      parts.push_back(&require_entry(model, std::string(part)));
  }
  return parts;
}

// Runs one call of the step with --data-parallel.
void run_split(rt::Session &session, DataParallel &job, StepCall &c,
               std::span<const rt::Tensor *const> inputs) {
  if (!c.averager)
    c.averager = std::make_unique<GradientAverager>(job);
  // Each gradient's reduction starts as soon as its kernel has run.
  c.averager->begin(c.halves);
  session.set_output_ready([&c](size_t i) { c.averager->ready(i); });
  try {
    session.run(c.gradients->name, inputs, c.half_ptrs);
  } catch (...) {
    session.set_output_ready({});
    throw;
  }
  session.set_output_ready({});
  c.averager->finish();
  // The losses (averaged: the mean over the global batch) are the step's
  // outputs, the gradients the update's inputs.
  for (size_t k = 0; k < c.outputs.size(); ++k)
    c.outputs[k] = c.halves[k];
  std::vector<const rt::Tensor *> grads;
  for (size_t k = c.outputs.size(); k < c.halves.size(); ++k)
    grads.push_back(&c.halves[k]);
  session.run(c.update->name, grads, {});
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

bool contains(const std::string &text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// Sums of the outputs since the last log line, for their means.
struct Window {
  std::vector<double> sums;
  int64_t steps = 0;
  void add(const std::vector<StepCall> &calls) {
    size_t k = 0;
    for (const StepCall &c : calls)
      for (const rt::Tensor &t : c.outputs) {
        if (sums.size() <= k)
          sums.push_back(0.0);
        sums[k++] += t.data()[0];
      }
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

// A hyperparameter a trained entry point reads at run time: the buffer
// parameter "ENTRY.NAME" kilnc declares for it (lr always; weight_decay and
// clip_grad_norm when the model gives them), and its base value for this
// run: `value` (a flag's or the checkpoint's), else the model's. A sequence
// (a GAN's train_step) has its parts'.
struct Hyperparameter {
  std::string_view entry;
  size_t param;
  double base;
};

std::vector<Hyperparameter>
hyperparameters(const rt::ModelDesc &model,
                const std::vector<const rt::EntryDesc *> &entries,
                std::string_view name, std::optional<double> value) {
  std::vector<Hyperparameter> found;
  auto add = [&](std::string_view entry) {
    const std::string buffer = fmt::format("{}.{}", entry, name);
    for (size_t i = 0; i < model.params.size(); ++i)
      if (model.params[i].name == buffer &&
          model.params[i].role == rt::ParamRole::buffer)
        found.push_back({entry, i, value.value_or(model.params[i].a)});
  };
  for (const rt::EntryDesc *e : entries) {
    add(e->name);
    for (std::string_view part : e->sequence)
      add(part);
  }
  return found;
}

std::vector<Hyperparameter>
learning_rates(const rt::ModelDesc &model,
               const std::vector<const rt::EntryDesc *> &entries,
               std::optional<double> lr) {
  std::vector<Hyperparameter> rates = hyperparameters(model, entries, "lr", lr);
  if (lr && rates.empty())
    throw UsageError(fmt::format("--lr: {} reads no learning rate (its train "
                                 "entry points were compiled without one)",
                                 model.name));
  return rates;
}

// --weight-decay or --clip-grad-norm (`flag`; `stored`, the run's value in
// its TrainState): set the buffers once, for the whole run. A new run stores
// the flag; a resumed run keeps its checkpoint's value (none: the model's),
// which the flag may repeat but not change. A run may change a value the
// model gives, not add one: an optimizer without it was compiled without
// its arithmetic.
std::vector<Hyperparameter> fixed_hyperparameters(
    rt::Session &session, const std::vector<const rt::EntryDesc *> &entries,
    std::string_view name, const char *flag, std::optional<double> given,
    std::optional<double> &stored, const std::string &resume) {
  const rt::ModelDesc &model = session.model();
  if (resume.empty())
    stored = given;
  std::vector<Hyperparameter> found =
      hyperparameters(model, entries, name, stored);
  if (given && found.empty())
    throw UsageError(fmt::format(
        "{}: {}'s trained entry points were compiled without {} (give their "
        "optimizer a {} in the model, kiln/dsl/optim.h; a run can change the "
        "model's value, not add one)",
        flag, model.name, name, name));
  for (const Hyperparameter &h : found) {
    if (!resume.empty())
      keep(given, h.base, flag, resume);
    const float v = static_cast<float>(h.base);
    session.set_param(h.param, {&v, 1});
  }
  return found;
}

// "train_step 0.1" or "d_step 0.0002, g_step 0.0002".
std::string values_by_entry(const std::vector<Hyperparameter> &found) {
  std::string s;
  for (const Hyperparameter &h : found)
    s += fmt::format("{}{} {:g}", s.empty() ? "" : ", ", h.entry, h.base);
  return s;
}

const char *schedule_name(rt::LrSchedule::Kind kind) {
  return kind == rt::LrSchedule::Kind::cosine ? "cosine" : "constant";
}

// The learning-rate schedule and --lr of the run, into `state`: the flags
// (and their defaults) for a new run; a resumed run's checkpoint's, which a
// flag may repeat but not change. A cosine schedule keeps the length of the
// run that started it.
void set_schedule(const TrainOptions &options, int64_t total,
                  rt::TrainState &state, std::ostream &out) {
  if (state.has_schedule && !options.resume.empty()) {
    const rt::LrSchedule &stored = state.schedule;
    keep(options.lr_schedule, std::string(schedule_name(stored.kind)),
         "--lr-schedule", options.resume);
    keep(options.warmup, stored.warmup, "--warmup", options.resume);
    if (stored.kind == rt::LrSchedule::Kind::cosine)
      keep(options.min_lr, stored.min_lr, "--min-lr", options.resume);
    else if (options.min_lr)
      throw UsageError(fmt::format("--min-lr is the final rate of a cosine "
                                   "schedule; {} follows a constant one",
                                   options.resume));
    if (options.lr && (!state.lr || *state.lr != *options.lr))
      throw UsageError(fmt::format(
          "--lr {} differs from {} in {}; a resumed run keeps the "
          "checkpoint's value (leave --lr out)",
          *options.lr,
          state.lr ? fmt::format("{}", *state.lr) : "the model's rates",
          options.resume));
    if (stored.kind == rt::LrSchedule::Kind::constant)
      state.schedule.total = total;
    return;
  }
  if (!options.resume.empty())
    fmt::print(out,
               "{} holds no learning-rate schedule (written by an "
               "older kiln): following the flags as given\n",
               options.resume);
  if (options.min_lr && options.lr_schedule.value_or("constant") != "cosine")
    throw UsageError("--min-lr is the final rate of --lr-schedule cosine; "
                     "give both, or leave --min-lr out");
  state.has_schedule = true;
  state.lr = options.lr;
  state.schedule = rt::LrSchedule{
      .kind = options.lr_schedule.value_or("constant") == "cosine"
                  ? rt::LrSchedule::Kind::cosine
                  : rt::LrSchedule::Kind::constant,
      .warmup = options.warmup.value_or(0),
      .total = total,
      .min_lr = options.min_lr.value_or(0)};
}

// The training set of a sequence task: this many generated pairs (a pure
// function of the data seed and the index), shuffled every epoch.
constexpr int64_t kTaskExamples = int64_t{1} << 20;

// What a step is fed from: Fashion-MNIST images; windows of a text for a
// step that consumes text (a window per row: every start in the train
// split is one row, shuffled by the Batcher like images); pairs of the
// reverse task for one that also consumes a source; the rows of a file of
// latents (kiln encode's) for one that consumes latents.
class TrainData {
public:
  TrainData(const std::string &option, int64_t text_length,
            int64_t source_length, int64_t latent_width, uint64_t data_seed)
      : text_length_(text_length), data_seed_(data_seed), source_(option) {
    if (latent_width) {
      latents_ = read_latents_file(option, latent_width);
      rows_ = latents_->dim(0);
    } else if (source_length) {
      if (!option.empty() && option != "reverse")
        throw UsageError(fmt::format("--data {}: a sequence-to-sequence model "
                                     "trains on the task kiln generates: "
                                     "reverse (the default)",
                                     option));
      task_.emplace(source_length);
      rows_ = kTaskExamples;
    } else if (text_length_) {
      text_ = rt::load_text_corpus(option);
      rows_ = rt::window_starts(
          static_cast<int64_t>(text_->split(rt::Split::train).size()),
          text_length_);
      if (rows_ < 1)
        throw UsageError(fmt::format(
            "{}: its train split ({} bytes) is shorter than a window of {} "
            "bytes and the next",
            text_->source, text_->split(rt::Split::train).size(),
            text_length_));
    } else {
      images_ = load_data(option, rt::Split::train);
      rows_ = images_->count;
    }
  }

  int64_t rows() const { return rows_; }
  // Images without labels cannot feed an entry point that takes them.
  void check_feeds(const EntryFeeds &feeds) const {
    if (images_)
      require_labels(feeds, *images_,
                     rt::describe_image_data(source_, rt::Split::train));
  }
  std::string rows_name() const {
    if (latents_)
      return fmt::format("latents [{}] from {}", latents_->dim(1), source_);
    if (task_)
      return fmt::format("pairs of the reverse task (sources of 1 to {} of "
                         "[a-z0-9], none held out)",
                         task_->max_length());
    return text_ ? fmt::format("windows of {} bytes from {}", text_length_,
                               text_->source)
                 : "images";
  }

  Batch batch(std::span<const int64_t> rows, rt::PixelRange range) const {
    Batch b;
    if (latents_) {
      const int64_t width = latents_->dim(1);
      b.latents = rt::Tensor({int64_t(rows.size()), width});
      for (size_t i = 0; i < rows.size(); ++i)
        std::copy_n(latents_->data() + rows[i] * width, width,
                    b.latents.data() + int64_t(i) * width);
      return b;
    }
    if (task_) {
      task_->batch(rt::Split::train, data_seed_, rows, b.source, b.text,
                   b.next_text);
      return b;
    }
    if (!text_)
      return load_batch(*images_, rows, range);
    rt::text_windows(text_->split(rt::Split::train), rows, text_length_, b.text,
                     b.next_text);
    return b;
  }

private:
  int64_t text_length_;
  uint64_t data_seed_;
  std::string source_;
  int64_t rows_ = 0;
  std::optional<rt::Tensor> latents_;
  std::optional<rt::ReverseTask> task_;
  std::optional<rt::ImageSet> images_;
  std::optional<rt::TextCorpus> text_;
};

// Floats one step all-reduces: every output of every gradients half.
int64_t reduced_per_step(const std::vector<StepCall> &calls) {
  int64_t n = 0;
  for (const StepCall &c : calls)
    if (c.gradients)
      for (const rt::TensorDesc &t : c.gradients->outputs) {
        int64_t numel = 1;
        for (const rt::DimDesc &d : t.dims)
          numel *= d.size;
        n += numel;
      }
  return n;
}

// The training run; `job` is the data-parallel job (nullptr alone).
int train_run(const TrainOptions &options, DataParallel *job, std::ostream &out,
              std::ostream &err) {
  const rt::ModelDesc &model = require_model(options.model);
  const std::vector<const rt::EntryDesc *> entries =
      train_entries(model, options.entry);
  const std::string entry_names = join(entries, ",");
  const std::string where =
      fmt::format("{}.{}", model.name, join(entries, " + "));
  // What one step calls: the entry points, or with --data-parallel their
  // parts, each split in two.
  const std::vector<const rt::EntryDesc *> called =
      job ? sequence_parts(model, entries) : entries;
  std::vector<StepCall> calls;
  int64_t noise_width = 0, latent_width = 0, text_length = 0, source_length = 0;
  for (const rt::EntryDesc *e : called) {
    StepCall c{entry_feeds(model, *e, "train"), {}, {}};
    if (job) {
      c.gradients = &split_half(model, *e, "gradients");
      c.update = &split_half(model, *e, "update");
      c.halves.resize(c.gradients->outputs.size());
      for (rt::Tensor &t : c.halves)
        c.half_ptrs.push_back(&t);
    }
    if (c.feeds.text_length != 0 && text_length != 0 &&
        c.feeds.text_length != text_length)
      throw UsageError(fmt::format(
          "kiln train feeds one window of text per row to every entry point "
          "of the step, but {} reads {} bytes and an earlier one {}",
          e->name, c.feeds.text_length, text_length));
    text_length = std::max(text_length, c.feeds.text_length);
    source_length = std::max(source_length, c.feeds.source_length);
    if (c.feeds.latent_width && latent_width &&
        c.feeds.latent_width != latent_width)
      throw UsageError(fmt::format(
          "kiln train feeds one row of latents to every entry point of the "
          "step, but {} reads [batch, {}] and an earlier one [batch, {}]",
          e->name, c.feeds.latent_width, latent_width));
    latent_width = std::max(latent_width, c.feeds.latent_width);
    require_scalar_outputs(*e, "train");
    if (c.feeds.noise_width != 0 && noise_width != 0 &&
        c.feeds.noise_width != noise_width)
      throw UsageError(fmt::format(
          "kiln train draws one z per step for every entry point of the "
          "step, but {}'s z is [batch, {}] and an earlier one's [batch, {}]",
          e->name, c.feeds.noise_width, noise_width));
    if (c.feeds.noise_width != 0)
      noise_width = c.feeds.noise_width;
    c.outputs.resize(e->outputs.size());
    calls.push_back(std::move(c));
  }
  for (StepCall &c : calls)
    for (rt::Tensor &t : c.outputs)
      c.output_ptrs.push_back(&t);
  const std::vector<std::string> names = value_names(called);
  // One batch of images feeds the step: its entry points must agree on the
  // pixel range.
  std::optional<rt::PixelRange> step_range;
  for (const StepCall &c : calls)
    if (c.feeds.range) {
      if (step_range && *step_range != *c.feeds.range)
        throw UsageError(fmt::format(
            "the entry points of the step take images in different pixel "
            "ranges ({} and {})",
            range_name(*step_range), range_name(*c.feeds.range)));
      step_range = c.feeds.range;
    }
  const rt::PixelRange range = step_range.value_or(rt::PixelRange::unit);

  // Settings: given, or from the checkpoint when resuming.
  rt::TrainState state;
  state.entry = entry_names;
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
    if (!info.state.entry.empty() &&
        step_parts(model, info.state.entry) != step_parts(model, entry_names))
      throw UsageError(
          fmt::format("{} was trained with {}, not {}; pick it with --entry",
                      options.resume, info.state.entry, entry_names));
    state = info.state;
    state.batch_size =
        keep(options.batch, info.state.batch_size, "--batch", options.resume);
    state.seed = keep(options.seed, info.state.seed, "--seed", options.resume);
    state.data_seed = keep(options.data_seed, info.state.data_seed,
                           "--data-seed", options.resume);
  } else {
    state.batch_size = options.batch.value_or(default_train_batch(entries));
    state.seed = options.seed.value_or(0);
    state.data_seed = options.data_seed.value_or(state.seed);
  }

  // With --data-parallel each of N processes takes rows [r b, (r + 1) b)
  // of every global batch of B = N b.
  int64_t local_batch = state.batch_size, first_row = 0;
  if (job) {
    if (state.batch_size % job->size() != 0)
      throw UsageError(fmt::format(
          "--data-parallel: the batch of {} does not split evenly over {} "
          "processes; pick a --batch that is a multiple of {}",
          state.batch_size, job->size(), job->size()));
    local_batch = state.batch_size / job->size();
    first_row = job->rank() * local_batch;
  }

  // Before reading data or writing anything: a batch an entry point would
  // refuse at its first call (BatchNorm in training mode needs two values
  // per channel).
  for (const rt::EntryDesc *e : called)
    for (const rt::SymbolMinimum &m : e->minimums)
      if (!e->inputs.empty() && !e->inputs[0].dims.empty() &&
          e->inputs[0].dims[0].symbol == m.symbol && local_batch < m.min)
        throw UsageError(fmt::format(
            "--batch {}: {}.{} needs {} >= {}{}: {}", state.batch_size,
            model.name, e->name, m.symbol, m.min,
            job ? fmt::format(" on each of {} processes", job->size()) : "",
            m.why));

  const TrainData data(options.data, text_length, source_length, latent_width,
                       state.data_seed);
  for (const StepCall &c : calls)
    data.check_feeds(c.feeds);
  rt::Batcher batcher(data.rows(), state.batch_size, state.data_seed);
  // A step takes one batch: where the checkpoint says it stands must agree
  // with its step count on this data (else the file was edited, or the data
  // changed).
  if (int64_t at = 0;
      !options.resume.empty() &&
      (state.position < 0 || state.position >= batcher.batches_per_epoch() ||
       state.epoch < 0 ||
       __builtin_mul_overflow(state.epoch, batcher.batches_per_epoch(), &at) ||
       at + state.position != state.step))
    throw UsageError(fmt::format(
        "{} says step {} is epoch {}, batch {}, but an epoch of this data is "
        "{} batches of {}: the checkpoint's metadata is inconsistent, or the "
        "data is not what it trained on",
        options.resume, state.step, state.epoch, state.position,
        batcher.batches_per_epoch(), state.batch_size));
  if (options.epochs &&
      *options.epochs >
          INT64_MAX / std::max<int64_t>(batcher.batches_per_epoch(), 1))
    throw UsageError(fmt::format("--epochs {}: more than {} steps of {} per "
                                 "epoch",
                                 *options.epochs, INT64_MAX,
                                 batcher.batches_per_epoch()));
  const int64_t total = options.steps.value_or(options.epochs.value_or(1) *
                                               batcher.batches_per_epoch());

  // Before any kernel (Halide's pool, KILN_THREAD_POOL=halide, reads its
  // size when it starts; kiln's follows any later call).
  rt::set_num_threads(options.threads);
  rt::Session session(model, state.seed);
  // Random tensors of the batch continue where the previous process's
  // rows end (Session::RandomKey): N processes draw what one would.
  session.set_shard(job ? static_cast<uint32_t>(job->rank()) : 0);
  if (job && options.sync_batchnorm)
    session.set_replicas(job->size(), [job](float *values, size_t count) {
      job->sum(values, count);
    });
  if (!options.resume.empty()) {
    state = rt::load_checkpoint(options.resume, session);
    state.entry = entry_names; // the same step, maybe as its sequence
    batcher.seek(state.epoch, state.position);
  }
  set_schedule(options, total, state, out);
  const rt::LrSchedule &schedule = state.schedule;
  const std::vector<Hyperparameter> rates =
      learning_rates(model, entries, state.lr);
  const std::vector<Hyperparameter> decays = fixed_hyperparameters(
      session, entries, "weight_decay", "--weight-decay", options.weight_decay,
      state.weight_decay, options.resume);
  const std::vector<Hyperparameter> clips = fixed_hyperparameters(
      session, entries, "clip_grad_norm", "--clip-grad-norm",
      options.clip_grad_norm, state.clip_grad_norm, options.resume);

  // By default a run writes to runs/MODEL, and a resumed run where its
  // checkpoint is.
  std::filesystem::path dir = options.out;
  if (dir.empty())
    dir = options.resume.empty()
              ? std::filesystem::path("runs") / model.name
              : std::filesystem::path(options.resume).parent_path();
  if (dir.empty())
    dir = ".";
  const std::filesystem::path checkpoint = dir / "checkpoint.safetensors";
  // Only one process of a data-parallel job writes: the parameters are the
  // same in all of them.
  const bool writer = job == nullptr || job->rank() == 0;
  std::optional<RunLock> lock;
  if (writer) {
    make_parent_dir(checkpoint);
    // One run per directory; a checkpoint there is replaced only by its own
    // resumed run or on request.
    lock.emplace(dir);
    if (std::error_code ec;
        std::filesystem::exists(checkpoint, ec) && !options.overwrite &&
        !(!options.resume.empty() &&
          std::filesystem::equivalent(options.resume, checkpoint, ec)))
      throw UsageError(fmt::format(
          "{} already holds a checkpoint; resume it with --resume {}, or "
          "pass --overwrite to replace it with this run's",
          dir.string(), checkpoint.string()));
    if (const int stale = lock->remove_stale_temporaries(
            {"checkpoint.safetensors", "metrics.jsonl"}))
      fmt::print(out,
                 "removed {} temporary file{} of a run killed while saving\n",
                 stale, stale == 1 ? "" : "s");
  }

  fmt::print(out,
             "training {}: {} {}, batch {} ({} steps per epoch), seed {}, "
             "data seed {}, threads {}\n",
             where, data.rows(), data.rows_name(), state.batch_size,
             batcher.batches_per_epoch(), state.seed, state.data_seed,
             options.threads ? std::to_string(options.threads) : "default");
  // The Session applied KILN_CPU_TARGET: this is the variant that runs.
  if (session.device() != rt::Device::cpu)
    fmt::print(out, "kernels: {} (GPU schedules; host code {})\n",
               rt::device_name(session.device()),
               rt::selected_kernel_target(model));
  else if (!model.kernel_variants.empty())
    fmt::print(out, "kernels: {}\n", rt::selected_kernel_target(model));
  std::string fed =
      source_length
          ? fmt::format("source i32 [batch, {}], target i32 [batch, {}] "
                        "(teacher forcing)",
                        source_length, text_length)
      : text_length  ? fmt::format("bytes as i32 [batch, {}] and the byte "
                                    "after each",
                                   text_length)
      : latent_width ? fmt::format("latents [batch, {}]", latent_width)
                     : fmt::format("pixels in {}", range_name(range));
  for (const StepCall &c : calls)
    for (const InputFeed &f : c.feeds.inputs)
      if (f.feed == Feed::onehot && !contains(fed, "one-hot"))
        fed += ", one-hot labels";
  if (noise_width)
    fed += fmt::format(", z ~ N(0, I) [batch, {}] per step", noise_width);
  fmt::print(out, "data: {}\n", fed);
  if (job) {
    const int64_t reduced = reduced_per_step(calls);
    fmt::print(out,
               "data-parallel: {} processes x {} rows; {} floats ({:.2f} MB) "
               "all-reduced per step, each gradient from when the backward "
               "pass has it; BatchNorm statistics {}\n",
               job->size(), local_batch, reduced,
               4e-6 * static_cast<double>(reduced),
               options.sync_batchnorm ? "over the global batch (synchronised)"
                                      : "per process");
  }
  if (!rates.empty())
    fmt::print(out, "learning rate: {} ({}), {}\n", values_by_entry(rates),
               state.lr ? "--lr" : "the model's", schedule.describe());
  if (!decays.empty())
    fmt::print(out, "weight decay: {} ({})\n", values_by_entry(decays),
               state.weight_decay ? "--weight-decay" : "the model's");
  if (!clips.empty())
    fmt::print(out, "gradient clipping at global norm: {} ({})\n",
               values_by_entry(clips),
               state.clip_grad_norm ? "--clip-grad-norm" : "the model's");
  if (!options.resume.empty())
    fmt::print(out, "resuming from {} at step {} (epoch {}, batch {})\n",
               options.resume, state.step, state.epoch, state.position);
  if (state.ema_from_weights)
    fmt::print(out,
               "{} holds no moving average of the weights (written before {} "
               "kept one): it starts from the weights at step {}\n",
               options.resume, model.name, state.step);
  if (state.step >= total) {
    fmt::print(out, "already at step {}: nothing to do for {} steps\n",
               state.step, total);
    return kExitOk;
  }
  fmt::print(out, "steps {} to {}; writing {}\n", state.step + 1, total,
             dir.string());

  std::optional<rt::MetricsWriter> metrics;
  if (writer)
    metrics.emplace(dir / "metrics.jsonl",
                    options.resume.empty()
                        ? std::nullopt
                        : std::optional<int64_t>(state.step));
  rt::Progress progress(err, total, state.step, stderr_is_terminal(err),
                        options.log_every);
  std::vector<rt::NamedValue> shown(names.size());
  Window window;
  int64_t saved_step = state.step;
  const auto start = std::chrono::steady_clock::now();
  auto save = [&] {
    if (writer)
      rt::save_checkpoint(checkpoint, session, state);
    saved_step = state.step;
  };

  InterruptGuard interrupt;
  while (state.step < total) {
    for (const Hyperparameter &r : rates) {
      const float lr = static_cast<float>(schedule.at(state.step, r.base));
      session.set_param(r.param, {&lr, 1});
    }
    Batch batch = data.batch(
        batcher.next().subspan(size_t(first_row), size_t(local_batch)), range);
    if (noise_width) {
      // z of this step: a function of (seed, step), so a resumed run draws
      // the same; every entry point of the step gets the same z. Drawn for
      // the whole batch, of which a data-parallel process takes its rows.
      rt::Tensor z({state.batch_size, noise_width});
      rt::fill_normal(z.values(), state.seed,
                      rt::kTrainLatentStreamBase +
                          static_cast<uint64_t>(state.step),
                      0.0, 1.0);
      batch.z = rt::Tensor({local_batch, noise_width});
      std::copy_n(z.data() + first_row * noise_width, local_batch * noise_width,
                  batch.z.data());
    }
    for (StepCall &c : calls) {
      const std::vector<rt::Tensor> inputs = entry_inputs(c.feeds, batch);
      std::vector<const rt::Tensor *> input_ptrs;
      for (const rt::Tensor &t : inputs)
        input_ptrs.push_back(&t);
      if (c.gradients)
        run_split(session, *job, c, input_ptrs);
      else
        session.run(c.feeds.entry->name, input_ptrs, c.output_ptrs);
      const float loss = c.outputs[0].data()[0];
      if (!std::isfinite(loss)) {
        progress.finish();
        throw rt::Error(fmt::format(
            "{}.{} is {} at step {}; stopped without saving (the last "
            "checkpoint, {}, is at step {})",
            c.feeds.entry->name, c.feeds.entry->outputs[0].name, loss,
            state.step + 1, checkpoint.string(), saved_step));
      }
    }
    ++state.step;
    state.epoch = batcher.epoch();
    state.position = batcher.position();
    window.add(calls);

    const bool last = state.step == total;
    // Every process of a job stops after the same step.
    const bool stop =
        job ? job->any(interrupt.requested()) : interrupt.requested();
    for (size_t k = 0; k < names.size(); ++k)
      shown[k] = {names[k], window.mean(k)};
    progress.update(state.step, shown);
    if (state.step % options.log_every == 0 || last || stop) {
      const std::chrono::duration<double> wall =
          std::chrono::steady_clock::now() - start;
      rt::Json record = rt::Json::object();
      record["step"] = state.step;
      record["epoch"] = state.epoch;
      for (size_t k = 0; k < names.size(); ++k)
        record[names[k]] = window.mean(k);
      if (!rates.empty()) // the rate of the step just taken
        record["lr"] = schedule.at(state.step - 1, rates.front().base);
      record["steps_per_s"] = progress.steps_per_second();
      record["wall_s"] = wall.count();
      if (metrics)
        metrics->write(record);
      window.clear();
    }
    if (state.step % options.checkpoint_every == 0 || last || stop)
      save();
    if (stop) {
      progress.finish();
      fmt::print(out,
                 "interrupted ({}): stopped after step {}; checkpoint saved to "
                 "{}\n"
                 "resume with: kiln train {} --resume {}{}\n",
                 interrupt.signal_name(), state.step, checkpoint.string(),
                 model.name,
                 checkpoint.string() +
                     (options.entry.empty() ? "" : " --entry " + entry_names),
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
  size_t k = 0;
  for (const StepCall &c : calls)
    for (const rt::Tensor &t : c.outputs)
      last_values += fmt::format("  {} {:.6g}", names[k++], t.data()[0]);
  fmt::print(out,
             "done: step {} (epoch {}, batch {}) in {:.1f} s, {:.3g} "
             "steps/s\nlast step:{}\ncheckpoint: {}\nmetrics: {}\n",
             state.step, state.epoch, state.position, wall.count(),
             progress.steps_per_second(), last_values, checkpoint.string(),
             (dir / "metrics.jsonl").string());
  return kExitOk;
}

} // namespace

int train_command(const TrainOptions &options, std::ostream &out,
                  std::ostream &err) {
  if (options.sync_batchnorm && !options.data_parallel)
    throw UsageError("--sync-batchnorm synchronises the processes of a "
                     "data-parallel job; it needs --data-parallel");
  if (!options.data_parallel)
    return train_run(options, nullptr, out, err);
  if (rt::default_device() != rt::Device::cpu)
    throw UsageError(fmt::format(
        "--data-parallel runs on the CPU only; --device {} is not supported "
        "with it yet",
        rt::device_name(rt::default_device())));
  DataParallel &job = DataParallel::join();
  if (job.size() == 1)
    return train_run(options, &job, out, err);
  // Only process 0 reports; the others' words would repeat its own.
  std::ostream discard(nullptr);
  try {
    return train_run(options, &job, job.rank() == 0 ? out : discard,
                     job.rank() == 0 ? err : discard);
  } catch (const std::exception &e) {
    // The others may be waiting for this process in a collective: end
    // the job, with the reason.
    job.abort(e.what());
  }
}

} // namespace kiln::cli
