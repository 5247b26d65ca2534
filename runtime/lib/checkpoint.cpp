#include "kiln/runtime/checkpoint.h"

#include "kiln/runtime/error.h"
#include "kiln/runtime/safetensors.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

namespace kiln::rt {
namespace {

// Lists in messages stop after this many names (a GPT has hundreds).
constexpr size_t kListed = 10;

std::string join_limited(const std::vector<std::string> &items) {
  const size_t listed = std::min(items.size(), kListed);
  std::string s =
      fmt::format("{}", fmt::join(items.begin(), items.begin() + listed, ", "));
  if (items.size() > kListed)
    s += fmt::format(", ... ({} more)", items.size() - kListed);
  return s;
}

Metadata checkpoint_metadata(const Session &session, std::string_view content) {
  return {{"format", kCheckpointFormat},
          {"format_version", std::to_string(kCheckpointVersion)},
          {"model", std::string(session.model().name)},
          {"content", std::string(content)}};
}

template <class Int>
Int parse_int(const std::filesystem::path &path, const SafetensorsHeader &h,
              std::string_view key) {
  const std::string *text = h.meta(key);
  if (text == nullptr)
    throw Error(
        fmt::format("{}: metadata '{}' is missing", path.string(), key));
  Int v{};
  const char *end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, v);
  if (ec != std::errc() || ptr != end || text->empty())
    throw Error(fmt::format("{}: metadata '{}' is '{}', not an integer",
                            path.string(), key, *text));
  return v;
}

double parse_double(const std::filesystem::path &path,
                    const SafetensorsHeader &h, std::string_view key) {
  const std::string *text = h.meta(key);
  if (text == nullptr)
    throw Error(
        fmt::format("{}: metadata '{}' is missing", path.string(), key));
  double v = 0;
  const char *end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, v);
  if (ec != std::errc() || ptr != end || text->empty() || !std::isfinite(v))
    throw Error(fmt::format("{}: metadata '{}' is '{}', not a finite number",
                            path.string(), key, *text));
  return v;
}

// A run-time hyperparameter the run changed (absent: the model's own),
// finite and >= 0 or, unless `zero_allowed`, > 0.
std::optional<double> optional_hyperparameter(const std::filesystem::path &path,
                                              const SafetensorsHeader &h,
                                              const char *key,
                                              bool zero_allowed) {
  if (!h.meta(key))
    return std::nullopt;
  const double v = parse_double(path, h, key);
  if (v < 0 || (v == 0 && !zero_allowed))
    throw Error(fmt::format("{}: metadata '{}' is '{}', {}", path.string(), key,
                            *h.meta(key),
                            zero_allowed ? "below 0" : "not above 0"));
  return v;
}

// The header's checks that do not depend on a session.
CheckpointInfo info_from_header(const std::filesystem::path &path,
                                const SafetensorsHeader &h) {
  CheckpointInfo info;
  if (const std::string *format = h.meta("format")) {
    if (*format != kCheckpointFormat)
      throw Error(fmt::format("{}: metadata format is '{}', not '{}'",
                              path.string(), *format, kCheckpointFormat));
    const int version = parse_int<int>(path, h, "format_version");
    if (version < 1 || version > kCheckpointVersion)
      throw Error(fmt::format(
          "{}: checkpoint format version {}; this kiln reads version {}",
          path.string(), version, kCheckpointVersion));
  }
  if (const std::string *model = h.meta("model"))
    info.model = *model;
  const std::string *content = h.meta("content");
  info.state.has_optimizer_state = content && *content == "checkpoint";
  if (!info.state.has_optimizer_state)
    return info;
  TrainState &s = info.state;
  s.step = parse_int<int64_t>(path, h, "step");
  s.epoch = parse_int<int64_t>(path, h, "epoch");
  s.position = parse_int<int64_t>(path, h, "position");
  s.batch_size = parse_int<int64_t>(path, h, "batch_size");
  s.seed = parse_int<uint64_t>(path, h, "seed");
  s.data_seed = parse_int<uint64_t>(path, h, "data_seed");
  s.random_counter = parse_int<uint64_t>(path, h, "random_counter");
  if (const std::string *entry = h.meta("entry"))
    s.entry = *entry;
  if (const std::string *kind = h.meta("lr_schedule")) {
    s.has_schedule = true;
    if (*kind == "cosine") {
      s.schedule.kind = LrSchedule::Kind::cosine;
      s.schedule.total = parse_int<int64_t>(path, h, "lr_total");
      s.schedule.min_lr = parse_double(path, h, "lr_min");
    } else if (*kind != "constant") {
      throw Error(fmt::format("{}: metadata lr_schedule is '{}', not "
                              "constant or cosine",
                              path.string(), *kind));
    }
    s.schedule.warmup = parse_int<int64_t>(path, h, "lr_warmup");
    if (h.meta("lr"))
      s.lr = parse_double(path, h, "lr");
    if (s.schedule.warmup < 0 || s.schedule.total < 0 ||
        !(s.schedule.min_lr >= 0) || (s.lr && !(*s.lr >= 0)))
      throw Error(fmt::format("{}: negative or non-finite learning-rate "
                              "schedule in the metadata",
                              path.string()));
  }
  s.weight_decay = optional_hyperparameter(path, h, "weight_decay", true);
  s.clip_grad_norm = optional_hyperparameter(path, h, "clip_grad_norm", false);
  if (s.step < 0 || s.epoch < 0 || s.position < 0 || s.batch_size < 0)
    throw Error(fmt::format("{}: negative step, epoch, position or batch_size "
                            "in the metadata",
                            path.string()));
  return info;
}

// What a checkpoint (`full`) or a weights file holds: parameters, plus the
// state of a checkpoint; never buffers (a learning rate the runtime sets).
bool saved(ParamRole role, bool full) {
  return role == ParamRole::parameter || (full && role == ParamRole::state);
}

constexpr std::string_view kAverage = ".ema";

bool is_average(const ParamDesc &p) {
  return p.role == ParamRole::state && p.name.ends_with(kAverage);
}

// The file's tensor for each of the model's tensors that it must hold
// (saved), null where it has none. A checkpoint written before the model
// kept moving averages holds none of them: each PARAM.ema is then read
// from PARAM, the average starting where the file's weights are. A file
// that holds some averages but not all is damaged, and those it lacks stay
// missing.
std::vector<const TensorInfo *> stored_tensors(const ModelDesc &model,
                                               const SafetensorsHeader &file,
                                               bool full) {
  const bool has_averages =
      std::ranges::any_of(model.params, [&](const ParamDesc &p) {
        return is_average(p) && file.find(p.name) != nullptr;
      });
  std::vector<const TensorInfo *> stored(model.params.size(), nullptr);
  for (size_t i = 0; i < model.params.size(); ++i) {
    const ParamDesc &p = model.params[i];
    if (!saved(p.role, full))
      continue;
    stored[i] = file.find(p.name);
    if (!stored[i] && is_average(p) && !has_averages)
      stored[i] = file.find(p.name.substr(0, p.name.size() - kAverage.size()));
  }
  return stored;
}

// Which of the model's tensors the file must hold: all of them when it
// carries optimizer state, the parameters alone otherwise (`stored`, from
// stored_tensors). Throws Error listing every difference.
void check_tensors_match(const std::filesystem::path &path,
                         const ModelDesc &model, const SafetensorsHeader &file,
                         const std::vector<const TensorInfo *> &stored,
                         bool full) {
  std::map<std::string_view, const ParamDesc *> expected;
  for (const ParamDesc &p : model.params)
    if (saved(p.role, full))
      expected.emplace(p.name, &p);

  std::vector<std::string> missing, extra, shapes, types;
  for (size_t i = 0; i < model.params.size(); ++i)
    if (saved(model.params[i].role, full) && stored[i] == nullptr)
      missing.emplace_back(model.params[i].name);
  for (const TensorInfo &t : file.tensors) {
    const auto it = expected.find(t.name);
    if (it == expected.end()) {
      extra.push_back(t.name);
      continue;
    }
    if (t.shape != it->second->shape)
      shapes.push_back(fmt::format("{} is {} in the file but {} in the model",
                                   t.name, shape_string(t.shape),
                                   shape_string(it->second->shape)));
    else if (t.dtype != DType::f32)
      types.push_back(fmt::format("{} holds integers in the file ({}); "
                                  "parameters are floats",
                                  t.name, dtype_name(t.dtype)));
  }
  if (missing.empty() && extra.empty() && shapes.empty() && types.empty())
    return;
  std::string message = fmt::format(
      "{}: does not match model {} ({}):", path.string(), model.name,
      full ? "a checkpoint must hold every parameter and optimizer state "
             "tensor"
           : "a weights file must hold every parameter and nothing else");
  if (!missing.empty())
    message += fmt::format("\n  missing ({}): {}", missing.size(),
                           join_limited(missing));
  if (!extra.empty())
    message += fmt::format("\n  not in the model ({}): {}", extra.size(),
                           join_limited(extra));
  if (!shapes.empty())
    message += fmt::format("\n  wrong shape ({}): {}", shapes.size(),
                           join_limited(shapes));
  if (!types.empty())
    message += fmt::format("\n  wrong type ({}): {}", types.size(),
                           join_limited(types));
  throw Error(message);
}

// What load_checkpoint checks before it reads any value: the model the
// file names, and its tensors' names, shapes and types.
struct Fit {
  CheckpointInfo info;
  std::vector<const TensorInfo *> stored; // stored_tensors
};

Fit check_fit(const std::filesystem::path &path, const ModelDesc &model,
              const SafetensorsHeader &header) {
  Fit fit{info_from_header(path, header), {}};
  if (!fit.info.model.empty() && fit.info.model != model.name)
    throw Error(fmt::format("{}: is a checkpoint of model '{}', not '{}'",
                            path.string(), fit.info.model, model.name));
  // A file that says it is a checkpoint must hold the state too; any other
  // file (weights, or a foreign state_dict) holds the parameters only.
  const bool full = fit.info.state.has_optimizer_state;
  fit.stored = stored_tensors(model, header, full);
  check_tensors_match(path, model, header, fit.stored, full);
  return fit;
}

} // namespace

void save_checkpoint(const std::filesystem::path &path, const Session &session,
                     const TrainState &state) {
  const ModelDesc &model = session.model();
  std::vector<TensorRef> tensors;
  for (size_t i = 0; i < model.params.size(); ++i)
    if (saved(model.params[i].role, true))
      tensors.push_back({model.params[i].name, &session.params().at(i)});
  Metadata meta = checkpoint_metadata(session, "checkpoint");
  meta.insert(meta.end(),
              {{"entry", state.entry},
               {"step", std::to_string(state.step)},
               {"epoch", std::to_string(state.epoch)},
               {"position", std::to_string(state.position)},
               {"batch_size", std::to_string(state.batch_size)},
               {"seed", std::to_string(session.seed())},
               {"data_seed", std::to_string(state.data_seed)},
               {"random_counter", std::to_string(session.random_counter())}});
  if (state.has_schedule) {
    const LrSchedule &s = state.schedule;
    const bool cosine = s.kind == LrSchedule::Kind::cosine;
    meta.emplace_back("lr_schedule", cosine ? "cosine" : "constant");
    meta.emplace_back("lr_warmup", std::to_string(s.warmup));
    if (cosine) {
      meta.emplace_back("lr_total", std::to_string(s.total));
      meta.emplace_back("lr_min", fmt::format("{}", s.min_lr));
    }
    if (state.lr)
      meta.emplace_back("lr", fmt::format("{}", *state.lr));
  }
  if (state.weight_decay)
    meta.emplace_back("weight_decay", fmt::format("{}", *state.weight_decay));
  if (state.clip_grad_norm)
    meta.emplace_back("clip_grad_norm",
                      fmt::format("{}", *state.clip_grad_norm));
  write_safetensors(path, tensors, meta);
}

void save_weights(const std::filesystem::path &path, const Session &session) {
  const ModelDesc &model = session.model();
  std::vector<TensorRef> tensors;
  for (size_t i = 0; i < model.params.size(); ++i)
    if (model.params[i].role == ParamRole::parameter)
      tensors.push_back({model.params[i].name, &session.params().at(i)});
  write_safetensors(path, tensors, checkpoint_metadata(session, "weights"));
}

CheckpointInfo read_checkpoint_info(const std::filesystem::path &path) {
  return info_from_header(path, read_safetensors_header(path));
}

void check_checkpoint_fits(const std::filesystem::path &path,
                           const ModelDesc &model) {
  check_fit(path, model, read_safetensors_header(path));
}

TrainState load_checkpoint(const std::filesystem::path &path,
                           Session &session) {
  const ModelDesc &model = session.model();
  SafetensorsFile file = read_safetensors(path);
  SafetensorsHeader header{file.metadata, {}};
  for (const NamedTensor &t : file.tensors)
    header.tensors.push_back({t.name, t.tensor.shape(), t.tensor.dtype()});
  const Fit fit = check_fit(path, model, header);
  const CheckpointInfo &info = fit.info;
  const bool full = info.state.has_optimizer_state;
  // The file's tensor behind each of the header's (the same order).
  std::vector<const NamedTensor *> stored(fit.stored.size(), nullptr);
  for (size_t i = 0; i < stored.size(); ++i)
    if (fit.stored[i])
      stored[i] = &file.tensors[size_t(fit.stored[i] - header.tensors.data())];
  // A diverged run's weights would flow into every metric and sample as
  // plausible-looking numbers: refuse them here, once.
  TrainState state = full ? info.state : TrainState{};
  state.has_optimizer_state = full;
  for (size_t i = 0; i < model.params.size(); ++i) {
    const ParamDesc &p = model.params[i];
    if (!saved(p.role, full))
      continue;
    state.ema_from_weights |= stored[i]->name != p.name;
    const std::span<const float> v = stored[i]->tensor.values();
    if (const int64_t bad = first_non_finite(v); bad >= 0)
      throw Error(fmt::format(
          "{}: tensor '{}' holds {} at index {} ({} of its {} values are not "
          "finite): the weights of a run that diverged cannot be used",
          path.string(), p.name, v[size_t(bad)], bad,
          std::ranges::count_if(v, [](float x) { return !std::isfinite(x); }),
          v.size()));
  }

  // Everything is checked: now the session changes.
  for (size_t i = 0; i < model.params.size(); ++i)
    // Copied into the existing storage: shapes are equal, and a tensor
    // keeps its address for the session's lifetime.
    if (stored[i])
      std::ranges::copy(stored[i]->tensor.values(),
                        session.params().at(i).values().begin());
  if (full)
    session.set_random_counter(info.state.random_counter);
  return state;
}

} // namespace kiln::rt
