#include "kiln/runtime/session.h"

#include "kiln/runtime/error.h"
#include "kiln/runtime/scratch.h"
#include "kiln/runtime/shapes.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace kiln::rt {
namespace {

std::string entry_names(const ModelDesc &model) {
  std::string names;
  for (const EntryDesc &e : model.entries)
    names += fmt::format("{}{}", names.empty() ? "" : ", ", e.name);
  return names.empty() ? "none" : names;
}

} // namespace

Session::Session(const ModelDesc &model, uint64_t seed, Device device)
    : model_(&model), seed_(seed), params_(model, seed) {
  install_scratch_allocator();
  apply_cpu_target(model);
  if (device != Device::cpu) {
    if (!has_kernels_for(model, device)) {
      const char *name = device_name(device);
      throw Error(fmt::format(
          "--device {0}: model {1} was built without {2} kernels (build it "
          "with kiln_add_model(... GPU {0}) or configure with "
          "-DKILN_GPU={0})",
          name, model.name, device == Device::cuda ? "CUDA" : "OpenCL"));
    }
    device_params_ = std::make_unique<DeviceParams>(device);
    params_.set_access_hook(device_params_.get());
    device_memory()->add(replica_count_);
    device_memory()->upload(replica_count_.raw());
  }
}

void Session::set_replicas(int processes, ReplicaSum sum) {
  if (processes < 1)
    throw Error(
        fmt::format("{}: a job of {} processes", model_->name, processes));
  if (device_params_ && (processes != 1 || sum))
    throw Error(fmt::format("{}: synchronised statistics across processes "
                            "(--sync-batchnorm) need a CPU session, not {}",
                            model_->name, device_name(device())));
  replica_sum_ = std::move(sum);
  replica_count_.data()[0] = float(processes);
}

void Session::set_param(size_t index, std::span<const float> values) {
  Tensor &p = params_.storage(index);
  if (size_t(p.numel()) != values.size() || p.dtype() != DType::f32)
    throw Error(fmt::format("{}: setting parameter {} of shape {} from {} "
                            "values",
                            model_->name, model_->params.at(index).name,
                            p.shape_string(), values.size()));
  std::copy(values.begin(), values.end(), p.data());
  // The host's other values may be stale; this one is now current on both.
  if (device_params_ && device_params_->device_current())
    device_params_->memory().upload(p.raw());
}

Tensor &Session::back_buffer(size_t param_index) {
  if (back_buffers_.size() < params_.size())
    back_buffers_.resize(params_.size());
  Tensor &back = back_buffers_.at(param_index);
  // A default Tensor has shape [] but no storage, unlike a scalar.
  const Tensor &param = params_.storage(param_index);
  if (back.shape() != param.shape() || back.numel() != param.numel()) {
    back = Tensor(param.shape());
    if (device_params_)
      device_memory()->add(back);
  }
  return back;
}

void Session::bind_outputs(std::span<Tensor *const> outputs) {
  if (!device_params_)
    return;
  for (Tensor *t : outputs) {
    device_memory()->add(*t);
    call_ranges_.push_back(t->raw());
    call_outputs_.push_back(t);
  }
}

void Session::copy_values(const void *src, size_t count, void *dst) {
  if (device_params_)
    device_memory()->copy(src, dst, count * 4);
  else if (count > 0 && src != dst)
    std::memmove(dst, src, count * 4);
}

void Session::fill_values(Tensor &t, float value) {
  std::fill_n(t.data(), t.numel(), value);
  if (device_params_)
    device_memory()->upload(t.raw());
}

void Session::write_slice(Tensor &dst, int axis, int64_t position,
                          const float *src, std::span<const int64_t> src_shape,
                          std::string_view what) {
  if (!device_params_) {
    rt::write_slice(dst, axis, position, src, src_shape, what);
    return;
  }
  const SliceLayout l = slice_layout(dst, axis, position, src_shape, what);
  for (int64_t o = 0; o < l.outer; ++o)
    device_memory()->copy(src + o * l.n * l.inner,
                          dst.data() + (o * l.size + position) * l.inner,
                          size_t(l.n * l.inner) * 4);
}

void Session::swap_back_buffer(size_t param_index) {
  std::swap(params_.storage(param_index), back_buffer(param_index));
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
      outputs[i]->resize(std::move(*shape), e->outputs[i].dtype);
  }

  if (device_params_) {
    run_on_device(*e, inputs, outputs);
  } else {
    e->run(*this, inputs, outputs);
  }

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

void Session::run_on_device(const EntryDesc &e,
                            std::span<const Tensor *const> inputs,
                            std::span<Tensor *const> outputs) {
  device_params_->to_device(params_);
  // Whatever happens, the call's ranges go: their host memory belongs to
  // the caller.
  struct Cleanup {
    Session &s;
    ~Cleanup() {
      for (const void *r : s.call_ranges_)
        s.device_memory()->remove(r);
      s.call_ranges_.clear();
      s.call_outputs_.clear();
    }
  } cleanup{*this};
  for (const Tensor *t : inputs) {
    device_memory()->add(*t);
    device_memory()->upload(t->raw());
    call_ranges_.push_back(t->raw());
  }
  device_params_->device_changes(); // the kernels may update parameters
  e.run(*this, inputs, outputs);
  for (Tensor *t : call_outputs_)
    device_memory()->download(t->raw());
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
