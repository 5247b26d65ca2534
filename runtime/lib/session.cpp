#include "kiln/runtime/session.h"

#include "kiln/runtime/error.h"
#include "kiln/runtime/scratch.h"
#include "kiln/runtime/shapes.h"

#include <fmt/format.h>

namespace kiln::rt {
namespace {

std::string entry_names(const ModelDesc &model) {
  std::string names;
  for (const EntryDesc &e : model.entries)
    names += fmt::format("{}{}", names.empty() ? "" : ", ", e.name);
  return names.empty() ? "none" : names;
}

} // namespace

Session::Session(const ModelDesc &model, uint64_t seed)
    : model_(&model), seed_(seed), params_(model, seed) {
  install_scratch_allocator();
  apply_cpu_target(model);
}

Tensor &Session::back_buffer(size_t param_index) {
  if (back_buffers_.size() < params_.size())
    back_buffers_.resize(params_.size());
  Tensor &back = back_buffers_.at(param_index);
  // A default Tensor has shape [] but no storage, unlike a scalar.
  const Tensor &param = params_.at(param_index);
  if (back.shape() != param.shape() || back.numel() != param.numel())
    back = Tensor(param.shape());
  return back;
}

void Session::swap_back_buffer(size_t param_index) {
  std::swap(params_.at(param_index), back_buffer(param_index));
}

Session::RandomKey Session::next_random_key() {
  RandomKey key{static_cast<uint32_t>(seed_),
                static_cast<uint32_t>(seed_ >> 32),
                static_cast<uint32_t>(random_counter_), shard_};
  ++random_counter_;
  return key;
}

void Session::run(std::string_view entry, std::span<const Tensor *const> inputs,
                  std::span<Tensor *const> outputs) {
  const EntryDesc *e = model_->find_entry(entry);
  if (e == nullptr)
    throw Error(fmt::format("{} has no entry point '{}'; entry points: {}",
                            model_->name, entry, entry_names(*model_)));
  const std::string where = fmt::format("{}.{}", model_->name, e->name);
  if (e->run == nullptr)
    throw Error(
        fmt::format("{}: the entry point has no implementation", where));

  SymbolBindings bindings;
  check_tensors(where, "input", e->inputs, inputs, bindings);
  for (const SymbolMinimum &m : e->minimums)
    if (auto size = bindings.find(m.symbol); size && *size < m.min)
      throw Error(fmt::format("{}: {} is {} ({}), but it must be at least "
                              "{}: {}",
                              where, m.symbol, *size, bindings.origin(m.symbol),
                              m.min, m.why));
  if (outputs.size() != e->outputs.size())
    throw Error(fmt::format("{}: expects {} output{} but got {}", where,
                            e->outputs.size(),
                            e->outputs.size() == 1 ? "" : "s", outputs.size()));
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (outputs[i] == nullptr)
      throw Error(
          fmt::format("{}: output '{}' is null", where, e->outputs[i].name));
    // Outputs whose shape the inputs determine are sized here, so callers
    // can pass empty tensors; the plan resizes any others itself.
    if (auto shape = resolve(e->outputs[i].dims, bindings))
      outputs[i]->resize(std::move(*shape));
  }

  e->run(*this, inputs, outputs);

  // A plan that returns the wrong shape is a compiler bug; say so here
  // rather than let a caller read past the end of a buffer.
  try {
    std::vector<const Tensor *> produced(outputs.begin(), outputs.end());
    check_tensors(where, "output", e->outputs, produced, bindings);
  } catch (const Error &err) {
    throw Error(fmt::format("internal error (the generated plan is wrong): {}",
                            err.what()));
  }
}

std::vector<Tensor> Session::run(std::string_view entry,
                                 std::span<const Tensor *const> inputs) {
  const EntryDesc *e = model_->find_entry(entry);
  std::vector<Tensor> results(e ? e->outputs.size() : 0);
  std::vector<Tensor *> outputs;
  for (Tensor &t : results)
    outputs.push_back(&t);
  run(entry, inputs, outputs); // reports an unknown entry too
  return results;
}

} // namespace kiln::rt
