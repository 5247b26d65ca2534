// Data-parallel training over MPI (`mpirun -np N kiln train MODEL
// --data-parallel`, docs/training.md). Each process computes the gradients
// of its share of the global batch (ENTRY_gradients, from kilnc
// --data-parallel); the gradients are averaged across processes here, with
// MPI_Allreduce; then every process applies the same update
// (ENTRY_update), so the parameters stay identical everywhere.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace kiln::cli {

class DataParallel {
public:
  // Joins the MPI job (MPI_Init, once per process; a process started
  // without mpirun is a job of one). Throws rt::Error when this kiln was
  // built without MPI.
  static DataParallel &join();

  int rank() const { return rank_; }
  int size() const { return size_; }

  // Every process's `values` summed, in place, then divided by the number
  // of processes: the mean of equal shares' means. Throws rt::Error if MPI
  // reports a failure (a process that died, with the job's error handler
  // set to return).
  void average(std::span<float> values);
  // True on every process when it is true on any (one of them was
  // interrupted: all stop after the same step).
  bool any(bool flag);

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

} // namespace kiln::cli
