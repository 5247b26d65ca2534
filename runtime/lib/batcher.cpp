#include "kiln/runtime/batcher.h"

#include "kiln/runtime/error.h"
#include "kiln/runtime/philox.h"
#include "kiln/runtime/random.h"

#include <fmt/format.h>

#include <numeric>
#include <utility>

namespace kiln::rt {
namespace {

// Consecutive 32-bit words of one Philox stream.
class WordStream {
public:
  WordStream(uint64_t seed, uint64_t stream) : seed_(seed), stream_(stream) {}
  uint32_t next() {
    if (word_ == 4) {
      words_ = philox_block(seed_, stream_, block_++);
      word_ = 0;
    }
    return words_[word_++];
  }
  // An integer in [0, n): 64 random bits scaled by n (Lemire's multiply
  // without the rejection step; the bias, below n / 2^64, is irrelevant
  // for data order and keeps the word count per draw fixed).
  uint64_t below(uint64_t n) {
    const uint64_t r = (uint64_t{next()} << 32) | next();
    return static_cast<uint64_t>((static_cast<unsigned __int128>(r) * n) >> 64);
  }

private:
  uint64_t seed_, stream_, block_ = 0;
  PhiloxCounter words_{};
  int word_ = 4;
};

} // namespace

std::vector<int64_t> epoch_order(int64_t size, uint64_t seed, int64_t epoch) {
  std::vector<int64_t> order(static_cast<size_t>(size));
  std::iota(order.begin(), order.end(), int64_t{0});
  WordStream words(seed, kShuffleStreamBase + static_cast<uint64_t>(epoch));
  for (int64_t i = size - 1; i > 0; --i) {
    const auto j =
        static_cast<int64_t>(words.below(static_cast<uint64_t>(i) + 1));
    std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(j)]);
  }
  return order;
}

Batcher::Batcher(int64_t dataset_size, int64_t batch_size, uint64_t seed)
    : size_(dataset_size), batch_(batch_size), seed_(seed) {
  if (batch_size < 1 || batch_size > dataset_size)
    throw Error(fmt::format("batch size {} must be between 1 and the number "
                            "of examples ({})",
                            batch_size, dataset_size));
}

void Batcher::seek(int64_t epoch, int64_t position) {
  if (epoch < 0 || position < 0 || position >= batches_per_epoch())
    throw Error(fmt::format("cannot resume at epoch {}, batch {}: an epoch "
                            "has {} batches of {}",
                            epoch, position, batches_per_epoch(), batch_));
  epoch_ = epoch;
  position_ = position;
}

std::span<const int64_t> Batcher::next() {
  if (order_epoch_ != epoch_) {
    order_ = epoch_order(size_, seed_, epoch_);
    order_epoch_ = epoch_;
  }
  const std::span<const int64_t> batch(order_.data() + position_ * batch_,
                                       static_cast<size_t>(batch_));
  if (++position_ == batches_per_epoch()) {
    position_ = 0;
    ++epoch_;
  }
  // order_ survives the epoch change until the next call: the span stays
  // valid as promised.
  return batch;
}

} // namespace kiln::rt
