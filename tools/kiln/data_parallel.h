// Data-parallel training over MPI (`mpirun -np N kiln train MODEL
// --data-parallel`, docs/training.md). Each process computes the gradients
// of its share of the global batch (ENTRY_gradients, from kilnc
// --data-parallel); the gradients are averaged across processes here, with
// MPI_Iallreduce while the gradients are computed (GradientAverager); then
// every process applies the same update
// (ENTRY_update), so the parameters stay identical everywhere.
#pragma once

#include "kiln/runtime/tensor.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace kiln::cli {

class DataParallel {
public:
  // Joins the MPI job (MPI_Init, once per process; a process started
  // without mpirun is a job of one). Throws rt::Error when this kiln was
  // built without MPI.
  static DataParallel &join();

  int rank() const { return rank_; }
  int size() const { return size_; }

  // True on every process when it is true on any (one of them was
  // interrupted: all stop after the same step).
  bool any(bool flag);

  // Adds `values` over the processes in place (MPI_Allreduce): the same
  // sums, in the same order, everywhere. rt::Session::set_replicas takes
  // it for synchronised BatchNorm statistics.
  void sum(float *values, size_t count);

  // Ends the whole job after an error on this process, so that the others
  // do not wait for it forever in a collective; prints `message` first.
  [[noreturn]] void abort(const std::string &message);

  DataParallel(const DataParallel &) = delete;
  DataParallel &operator=(const DataParallel &) = delete;
  ~DataParallel();

private:
  DataParallel();
  int rank_ = 0, size_ = 1;
};

// Averages one call's outputs across the job's processes while the call
// still runs: each output's reduction (a non-blocking MPI_Iallreduce)
// starts when the plan reports it written (rt::Session::output_ready), so
// the reduction of the last layers' gradients overlaps the backward pass
// of the first. Large outputs are reduced in place; small ones (biases,
// losses) are gathered into buckets of kBucketFloats or more (the last may
// be smaller), one reduction each. Every process runs the same plan, so
// reductions start in the same order everywhere, as MPI requires.
//
//   averager.begin(outputs);
//   session.set_output_ready([&](size_t i) { averager.ready(i); });
//   session.run(...);
//   averager.finish();  // the rest, then waits; outputs hold the means
//
// Throws rt::Error if MPI reports a failure (a process that died, with the
// job's error handler set to return).
class GradientAverager {
public:
  // 64 Ki floats (256 KiB): larger outputs are reduced in place, smaller
  // ones in buckets of at least this many values.
  static constexpr size_t kBucketFloats = size_t{1} << 16;

  explicit GradientAverager(DataParallel &job);
  ~GradientAverager();
  GradientAverager(const GradientAverager &) = delete;
  GradientAverager &operator=(const GradientAverager &) = delete;

  void begin(std::span<rt::Tensor> outputs);
  // Output `index` is complete: starts its reduction (or adds it to the
  // open bucket) and lets MPI progress the reductions already started.
  void ready(size_t index);
  // Starts what was not reported, waits for every reduction, divides by
  // the number of processes.
  void finish();
  // Reductions started by the last call (a bucket counts once).
  size_t reductions() const { return reductions_; }

private:
  struct Pending;
  void start(float *values, size_t count);
  void close_bucket();

  DataParallel &job_;
  std::span<rt::Tensor> outputs_;
  std::vector<bool> started_;
  // Buckets keep their storage from call to call.
  std::vector<std::vector<float>> buckets_;
  // Where each bucketed output sits: bucket, offset, output.
  struct Slot {
    size_t bucket, offset, output;
  };
  std::vector<Slot> slots_;
  size_t open_ = 0; // the bucket small outputs go to now
  size_t reductions_ = 0;
  std::unique_ptr<Pending> pending_; // MPI requests in flight
};

} // namespace kiln::cli
