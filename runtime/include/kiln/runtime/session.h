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

  // Keys of in-graph random numbers (kiln.random_normal, docs/ir.md): the
  // seed's two halves and a counter that advances once per call of an entry
  // point that draws random numbers. Checkpoints save the counter, so a
  // resumed run draws exactly the numbers an uninterrupted one would.
  // `shard` is this process's share of a data-parallel batch (0 alone):
  // tensors whose first dimension is the batch number their elements after
  // those of the shards before, so that N processes with B/N rows each draw
  // exactly what one process draws for B rows.
  struct RandomKey {
    uint32_t seed_lo, seed_hi, counter, shard;
  };
  RandomKey next_random_key();
  void set_shard(uint32_t shard) { shard_ = shard; }
  uint32_t shard() const { return shard_; }
  uint64_t seed() const { return seed_; }
  uint64_t random_counter() const { return random_counter_; }
  void set_random_counter(uint64_t counter) { random_counter_ = counter; }

  // Parameter updates (kiln.param_assign) are written into a back buffer
  // of the parameter's shape and swapped in when the entry point ends: the
  // kernels that compute them never read and write the same memory (Halide
  // assumes inputs and outputs do not alias), and a failed call leaves the
  // parameters as they were.
  Tensor &back_buffer(size_t param_index);
  void swap_back_buffer(size_t param_index);

private:
  const ModelDesc *model_;
  std::vector<Tensor> back_buffers_;
  uint64_t seed_ = 0;
  uint64_t random_counter_ = 0;
  uint32_t shard_ = 0;
  ParamStore params_;
  struct Region {
    std::unique_ptr<float[], void (*)(float *)> data{nullptr, nullptr};
    size_t bytes = 0;
  };
  std::vector<Region> arena_;
};

// Throws Error("kernel NAME failed with Halide error CODE") when code != 0,
// followed by the code's meaning and Halide's own message when known. (The
// runtime defines halide_error, replacing Halide's default handler, which
// aborts, so that the message reaches this Error; see docs/runtime.md.)
void check_kernel(int code, const char *kernel);

} // namespace kiln::rt
