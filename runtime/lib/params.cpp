#include "kiln/runtime/params.h"

#include "kiln/runtime/error.h"
#include "kiln/runtime/random.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace kiln::rt {
namespace {

void initialise(Tensor &t, const ParamDesc &p, uint64_t seed, uint64_t stream) {
  switch (p.init) {
  case InitKind::zeros:
    std::ranges::fill(t.values(), 0.0f);
    return;
  case InitKind::ones:
    std::ranges::fill(t.values(), 1.0f);
    return;
  case InitKind::constant:
    std::ranges::fill(t.values(), static_cast<float>(p.a));
    return;
  case InitKind::uniform:
    fill_uniform(t.values(), seed, stream, p.a, p.b);
    return;
  case InitKind::normal:
    fill_normal(t.values(), seed, stream, p.a, p.b);
    return;
  }
  throw Error("unknown init kind");
}

std::string param_names(const ModelDesc &model) {
  constexpr size_t kShown = 20; // GPT-sized models have hundreds
  std::string names;
  for (size_t i = 0; i < model.params.size() && i < kShown; ++i)
    names += fmt::format("{}{}", i ? ", " : "", model.params[i].name);
  if (model.params.size() > kShown)
    names += fmt::format(", ... ({} more)", model.params.size() - kShown);
  return names.empty() ? "none" : names;
}

} // namespace

ParamStore::ParamStore(const ModelDesc &model, uint64_t seed) : model_(&model) {
  tensors_.reserve(model.params.size());
  for (size_t i = 0; i < model.params.size(); ++i) {
    const ParamDesc &p = model.params[i];
    try {
      tensors_.emplace_back(p.shape);
      initialise(tensors_.back(), p, seed, i);
    } catch (const Error &e) {
      throw Error(
          fmt::format("{}: parameter '{}': {}", model.name, p.name, e.what()));
    }
  }
}

size_t ParamStore::index_of(std::string_view name) const {
  if (model_ == nullptr)
    throw Error(fmt::format("no parameter '{}': the store is empty", name));
  for (size_t i = 0; i < model_->params.size(); ++i)
    if (model_->params[i].name == name)
      return i;
  throw Error(fmt::format("{} has no parameter '{}'; parameters: {}",
                          model_->name, name, param_names(*model_)));
}

Tensor &ParamStore::get(std::string_view name) { return at(index_of(name)); }

const Tensor &ParamStore::get(std::string_view name) const {
  return at(index_of(name));
}

int64_t ParamStore::count() const {
  int64_t n = 0;
  for (const Tensor &t : tensors_)
    n += t.numel();
  return n;
}

} // namespace kiln::rt
