// Parameter storage, with seeded deterministic initialisation.
#pragma once

#include "kiln/runtime/model.h"
#include "kiln/runtime/tensor.h"

#include <cstdint>
#include <string_view>
#include <vector>

namespace kiln::rt {

class ParamStore {
public:
  ParamStore() = default;
  // One tensor per ParamDesc, in the same order, initialised from `seed`:
  // parameter i draws from its own counter-based stream (seed, i), so the
  // values do not depend on thread count or on other parameters.
  ParamStore(const ModelDesc &model, uint64_t seed);

  size_t size() const { return tensors_.size(); }
  Tensor &at(size_t index) { return tensors_.at(index); }
  const Tensor &at(size_t index) const { return tensors_.at(index); }
  // Throws Error naming the parameter and the model's parameters.
  Tensor &get(std::string_view name);
  const Tensor &get(std::string_view name) const;
  int64_t count() const; // total number of scalars

private:
  const ModelDesc *model_ = nullptr;
  std::vector<Tensor> tensors_;
};

} // namespace kiln::rt
