// A model instance: its parameters, its scratch arena, and calls to entry
// points with argument checking.
#pragma once

#include "kiln/runtime/model.h"
#include "kiln/runtime/params.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace kiln::rt {

class Session {
public:
  // Parameters are initialised from `seed` (see ParamStore).
  explicit Session(const ModelDesc &model, uint64_t seed = 0);

  const ModelDesc &model() const { return *model_; }
  ParamStore &params() { return params_; }
  const ParamStore &params() const { return params_; }

  // Checks the inputs against the entry's descriptors (count, rank, static
  // sizes, consistent symbol bindings) and throws Error naming the entry,
  // the input and both shapes on a mismatch; then runs it.
  void run(std::string_view entry, std::span<const Tensor *const> inputs,
           std::span<Tensor *const> outputs);
  // Convenience: one output per descriptor, returned.
  std::vector<Tensor> run(std::string_view entry,
                          std::span<const Tensor *const> inputs);

  // Scratch memory for generated plans: region `index` (one per size
  // class of the memory plan) is at least `bytes` long, 64-byte aligned,
  // and stays valid until the next call with a larger size.
  float *arena(int index, size_t bytes);

private:
  const ModelDesc *model_;
  ParamStore params_;
  struct Region {
    std::unique_ptr<float[], void (*)(float *)> data{nullptr, nullptr};
    size_t bytes = 0;
  };
  std::vector<Region> arena_;
};

// Throws Error("kernel NAME failed with Halide error CODE") when code != 0.
void check_kernel(int code, const char *kernel);

} // namespace kiln::rt
