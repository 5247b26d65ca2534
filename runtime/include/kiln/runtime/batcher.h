// The order in which training sees the data: a fresh seeded shuffle every
// epoch, full batches only (the last partial batch of an epoch is dropped,
// like PyTorch's DataLoader(shuffle=True, drop_last=True)), and able to
// resume at any (epoch, position).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace kiln::rt {

// A permutation of [0, size), a pure function of (seed, epoch): Fisher-Yates
// driven by the Philox stream (seed, kShuffleStreamBase + epoch). It runs on
// one thread, so it cannot depend on the thread count.
std::vector<int64_t> epoch_order(int64_t size, uint64_t seed, int64_t epoch);

class Batcher {
public:
  // Throws Error unless 1 <= batch_size <= dataset_size.
  Batcher(int64_t dataset_size, int64_t batch_size, uint64_t seed);

  int64_t batches_per_epoch() const { return size_ / batch_; }
  int64_t batch_size() const { return batch_; }
  // The batch that next() returns.
  int64_t epoch() const { return epoch_; }
  int64_t position() const { return position_; }

  // Continues at batch `position` of `epoch` (as if next() had been called
  // epoch * batches_per_epoch() + position times). Throws Error for a
  // negative epoch or a position outside [0, batches_per_epoch()).
  void seek(int64_t epoch, int64_t position);

  // The dataset indices of the current batch; then moves to the next batch,
  // or to batch 0 of the next epoch. Valid until the next call.
  std::span<const int64_t> next();

private:
  int64_t size_, batch_;
  uint64_t seed_;
  int64_t epoch_ = 0, position_ = 0;
  int64_t order_epoch_ = -1; // the epoch `order_` belongs to
  std::vector<int64_t> order_;
};

} // namespace kiln::rt
