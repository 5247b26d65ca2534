#include "contract.h"

#include "commands.h"

#include <fmt/format.h>

#include <algorithm>

namespace kiln::cli {

const char *kind_name(rt::DataKind kind) {
  switch (kind) {
  case rt::DataKind::unspecified:
    return "unspecified";
  case rt::DataKind::images:
    return "images";
  case rt::DataKind::onehot:
    return "onehot";
  case rt::DataKind::noise:
    return "noise";
  case rt::DataKind::loss:
    return "loss";
  case rt::DataKind::logits:
    return "logits";
  case rt::DataKind::features:
    return "features";
  case rt::DataKind::latent:
    return "latent";
  case rt::DataKind::score:
    return "score";
  case rt::DataKind::text:
    return "text";
  case rt::DataKind::next_text:
    return "next_text";
  case rt::DataKind::position:
    return "position";
  case rt::DataKind::source:
    return "source";
  case rt::DataKind::timestep:
    return "timestep";
  case rt::DataKind::prev_timestep:
    return "prev_timestep";
  case rt::DataKind::eta:
    return "eta";
  case rt::DataKind::next_logits:
    return "next_logits";
  }
  return "?";
}

std::string data_string(const rt::DataDesc &data) {
  if (data.kind == rt::DataKind::images)
    return fmt::format("images in [{}, {}]", data.min, data.max);
  if (data.kind == rt::DataKind::position && data.max > 0)
    return fmt::format("position in a window of {}", data.max);
  return kind_name(data.kind);
}

rt::PixelRange pixel_range(const rt::DataDesc &images) {
  return {images.min, images.max};
}

int input_of(const rt::EntryDesc &entry, rt::DataKind kind) {
  for (size_t i = 0; i < entry.inputs.size(); ++i)
    if (entry.inputs[i].data.kind == kind)
      return static_cast<int>(i);
  return -1;
}

bool fits(const rt::EntryDesc &entry, const Need &need) {
  if (entry.kind != "infer" || entry.outputs.empty() ||
      entry.outputs[0].data.kind != need.output)
    return false;
  // The commands read float outputs (images, losses, latents, scores);
  // integer results are for `kiln run` and the generated header.
  if (std::ranges::any_of(entry.outputs, [](const rt::TensorDesc &t) {
        return t.dtype != rt::DType::f32;
      }))
    return false;
  if (need.all_outputs &&
      std::ranges::any_of(entry.outputs, [&](const rt::TensorDesc &t) {
        return t.data.kind != need.output;
      }))
    return false;
  // Every required kind once; every other input an optional kind, once.
  std::vector<rt::DataKind> seen;
  for (const rt::TensorDesc &t : entry.inputs) {
    const bool allowed =
        std::ranges::find(need.inputs, t.data.kind) != need.inputs.end() ||
        std::ranges::find(need.optional, t.data.kind) != need.optional.end();
    if (!allowed || std::ranges::find(seen, t.data.kind) != seen.end())
      return false;
    seen.push_back(t.data.kind);
  }
  return std::ranges::all_of(need.inputs, [&](rt::DataKind k) {
    return std::ranges::find(seen, k) != seen.end();
  });
}

namespace {

// "vae.encode (x: images in [0, 1] -> mu: latent, logvar: latent)".
std::string contract_string(const rt::ModelDesc &model,
                            const rt::EntryDesc &e) {
  auto side = [](const std::vector<rt::TensorDesc> &tensors) {
    std::string s;
    for (const rt::TensorDesc &t : tensors)
      s += fmt::format("{}{}: {}", s.empty() ? "" : ", ", t.name,
                       data_string(t.data));
    return s;
  };
  return fmt::format("{}.{} ({} -> {})", model.name, e.name, side(e.inputs),
                     side(e.outputs));
}

std::string needs_string(const std::vector<Need> &needs) {
  std::string s;
  for (const Need &n : needs)
    s += fmt::format("{}{}", s.empty() ? "" : ", or one that ", n.what);
  return s;
}

} // namespace

const rt::EntryDesc *find_entry(const rt::ModelDesc &model,
                                const std::vector<Need> &needs) {
  for (const Need &n : needs)
    for (const rt::EntryDesc &e : model.entries)
      if (fits(e, n))
        return &e;
  return nullptr;
}

const rt::EntryDesc &entry_for(const rt::ModelDesc &model,
                               const std::string &name,
                               const std::vector<Need> &needs,
                               const char *command) {
  auto fits_any = [&](const rt::EntryDesc &e) {
    return std::ranges::any_of(needs,
                               [&](const Need &n) { return fits(e, n); });
  };
  if (!name.empty()) {
    const rt::EntryDesc *e = model.find_entry(name);
    if (!e)
      throw UsageError(
          fmt::format("{} has no entry point '{}'", model.name, name));
    if (!fits_any(*e))
      throw UsageError(fmt::format(
          "kiln {} needs an infer entry point that {}; {} does not (the "
          "model declares what its tensors mean with consumes() and "
          "produces(), docs/dsl.md)",
          command, needs_string(needs), contract_string(model, *e)));
    return *e;
  }
  if (const rt::EntryDesc *e = find_entry(model, needs))
    return *e;
  std::string declared;
  for (const rt::EntryDesc &e : model.entries)
    if (e.kind == "infer")
      declared += fmt::format("\n  {}", contract_string(model, e));
  throw UsageError(fmt::format(
      "kiln {} needs an infer entry point that {}; {} has none (the model "
      "declares what its tensors mean with consumes() and produces(), "
      "docs/dsl.md). Its infer entry points:{}",
      command, needs_string(needs), model.name,
      declared.empty() ? " none" : declared));
}

const rt::EntryDesc &default_train_entry(const rt::ModelDesc &model) {
  std::vector<const rt::EntryDesc *> top;
  for (const rt::EntryDesc &e : model.entries) {
    if (e.kind != "train")
      continue;
    const bool part = std::ranges::any_of(model.entries, [&](const auto &s) {
      return std::ranges::find(s.sequence, e.name) != s.sequence.end();
    });
    if (!part)
      top.push_back(&e);
  }
  if (top.size() == 1)
    return *top.front();
  if (top.empty())
    throw UsageError(fmt::format(
        "{} has no train entry point, so it cannot be trained", model.name));
  std::string names;
  for (const rt::EntryDesc *e : top)
    names += fmt::format("{}{}", names.empty() ? "" : ", ", e->name);
  throw UsageError(fmt::format(
      "{} has several train entry points ({}); pick one with --entry, or "
      "several separated by commas to call them in that order every step",
      model.name, names));
}

} // namespace kiln::cli
