// Parameter storage, with seeded deterministic initialisation.
#pragma once

#include "kiln/runtime/model.h"
#include "kiln/runtime/tensor.h"

#include <cstdint>
#include <string_view>
#include <vector>

namespace kiln::rt {

class ParamStore;

// Told before a parameter is read or written on the host through a store:
// a Session on a GPU (device.h, DeviceParams) copies the values back from
// the device first, and after a write copies them up before its next call.
class ParamAccess {
public:
  virtual ~ParamAccess() = default;
  virtual void before_host_access(const ParamStore &store,
                                  bool write) const = 0;
};

class ParamStore {
public:
  ParamStore() = default;
  // One tensor per ParamDesc, in the same order, initialised from `seed`:
  // parameter i draws from its own counter-based stream (seed, i), so the
  // values do not depend on thread count or on other parameters.
  ParamStore(const ModelDesc &model, uint64_t seed);

  // A copy holds the same values but no access hook.
  ParamStore(const ParamStore &other)
      : model_(other.model_), tensors_(other.tensors_) {}
  ParamStore &operator=(const ParamStore &other) {
    model_ = other.model_;
    tensors_ = other.tensors_;
    hook_ = nullptr;
    return *this;
  }
  ParamStore(ParamStore &&) = default;
  ParamStore &operator=(ParamStore &&) = default;

  size_t size() const { return tensors_.size(); }
  // The values on the host (see ParamAccess). Take the tensor again after
  // each call of an entry point: a reference kept across calls of a GPU
  // Session sees the values of when it was taken.
  Tensor &at(size_t index) {
    touch(true);
    return tensors_.at(index);
  }
  const Tensor &at(size_t index) const {
    touch(false);
    return tensors_.at(index);
  }
  // Throws Error naming the parameter and the model's parameters.
  Tensor &get(std::string_view name);
  const Tensor &get(std::string_view name) const;
  int64_t count() const; // total number of scalars

  // The tensor as stored, without the hook: generated plans (whose kernels
  // find the device copy by its address) and the device copies themselves.
  Tensor &storage(size_t index) { return tensors_.at(index); }
  const Tensor &storage(size_t index) const { return tensors_.at(index); }
  void set_access_hook(const ParamAccess *hook) { hook_ = hook; }

private:
  void touch(bool write) const {
    if (hook_)
      hook_->before_host_access(*this, write);
  }
  size_t index_of(std::string_view name) const;

  const ModelDesc *model_ = nullptr;
  std::vector<Tensor> tensors_;
  const ParamAccess *hook_ = nullptr;
};

} // namespace kiln::rt
