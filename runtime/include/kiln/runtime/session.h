// A model instance: its parameters, its scratch arena, and calls to entry
// points with argument checking.
#pragma once

#include "kiln/runtime/device.h"
#include "kiln/runtime/model.h"
#include "kiln/runtime/params.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace kiln::rt {

class Session {
public:
  // Parameters are initialised from `seed` (see ParamStore). The kernels
  // run on `device` (device.h): Error when the model has no kernels for it
  // or the machine no such device.
  explicit Session(const ModelDesc &model, uint64_t seed = 0,
                   Device device = default_device());

  const ModelDesc &model() const { return *model_; }
  Device device() const {
    return device_params_ ? device_params_->memory().device() : Device::cpu;
  }
  // The parameters on the host. On a GPU the device holds them between
  // calls: reading one through the store copies them back first, and after
  // a non-const access (a caller may write) the next call copies them up
  // again (ParamAccess).
  ParamStore &params() { return params_; }
  const ParamStore &params() const { return params_; }
  // Sets one parameter's values (a learning rate per step) without the
  // round trip of params() on a GPU. `values` must match its size.
  void set_param(size_t index, std::span<const float> values);

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

  // For generated plans: a parameter's storage, as it is (on a GPU the
  // values are on the device; kernels read them there).
  Tensor &param_storage(size_t index) { return params_.storage(index); }
  // The device memory of a GPU session; nullptr on the CPU.
  DeviceMemory *device_memory() {
    return device_params_ ? &device_params_->memory() : nullptr;
  }
  // For generated plans: the entry point's outputs, once sized, get device
  // memory (a GPU session copies them to the host when the call ends).
  void bind_outputs(std::span<Tensor *const> outputs);
  // For generated plans: copies `count` 4-byte values where the kernels'
  // data lives (host or device).
  void copy_values(const void *src, size_t count, void *dst);
  // For generated plans: sets every value of an output or a parameter's
  // storage (a constant result, or a constant assigned), on the device too.
  void fill_values(Tensor &t, float value);
  // Called with an output's index as soon as a kernel has written it, by
  // the plans of `gradients` entry points (kilnc --data-parallel), so that
  // a caller can start reducing that gradient across processes while the
  // rest of the backward pass runs. Outputs not reported are complete when
  // run() returns. A GPU session's outputs reach the host only then: it
  // reports none.
  using OutputReady = std::function<void(size_t output)>;
  void set_output_ready(OutputReady hook) { output_ready_ = std::move(hook); }
  // For generated plans.
  void output_ready(size_t output) {
    if (output_ready_ && !device_params_)
      output_ready_(output);
  }
  // For generated plans: rt::write_slice where the kernels' data lives.
  void write_slice(Tensor &dst, int axis, int64_t position, const float *src,
                   std::span<const int64_t> src_shape, std::string_view what);

  // Synchronised statistics in a data-parallel job (kiln.replica_sum and
  // kiln.replica_count, in the plans of `gradients` entry points:
  // BatchNorm's batch mean and variance). `sum` must add each of `count`
  // values over the job's `processes` in place, with the same result on
  // every process (an MPI all-reduce); every process calls it in the same
  // order. Without it (the default) each process is a job of one: its
  // statistics are its own rows'. CPU sessions only: throws Error on a GPU.
  using ReplicaSum = std::function<void(float *values, size_t count)>;
  void set_replicas(int processes, ReplicaSum sum);
  // For generated plans.
  void replica_sum(float *values, size_t count) {
    if (replica_sum_)
      replica_sum_(values, count);
  }
  Tensor &replica_count() { return replica_count_; }

private:
  void run_on_device(const EntryDesc &e, std::span<const Tensor *const> inputs,
                     std::span<Tensor *const> outputs);

  const ModelDesc *model_;
  // On a GPU; its address is the store's ParamAccess hook, so it is kept
  // on the heap (a Session moves).
  std::unique_ptr<DeviceParams> device_params_;
  std::vector<const void *> call_ranges_; // inputs and outputs of a call
  std::vector<Tensor *> call_outputs_;
  std::vector<Tensor> back_buffers_;
  OutputReady output_ready_;
  ReplicaSum replica_sum_;
  Tensor replica_count_{{}, {1.0f}}; // a scalar: the processes summed over
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
// The same for any call into the Halide runtime: "ACTION failed with ...".
void check_halide(int code, const std::string &action);

} // namespace kiln::rt
