// The sequence-to-sequence task kiln ships for encoder-decoder models
// (MODELS.md): reverse a string. A source is 1 to max_length characters
// drawn uniformly from [a-z0-9]; its target is the source reversed.
//
// Examples are a pure function of (seed, split, index), so a run resumes
// exactly and two runs with one seed see the same data. The held-out split
// is every source whose FNV-1a hash is 0 mod 10; the train split draws
// only sources that are not held out, so no training example is a held-out
// one.
//
// Token layout (bytes; entry points' inputs, docs/dsl.md):
//   source     [S]: the source's bytes, then 0 (padding)
//   text       [T]: BOS, the target's bytes, then 0
//   next_text  [T]: the target's bytes, EOS, then 0
// with S = max_length and T = max_length + 1.
#pragma once

#include "kiln/runtime/fashion_mnist.h" // Split
#include "kiln/runtime/tensor.h"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::rt {

inline constexpr int32_t kPadToken = 0;
inline constexpr int32_t kBosToken = 2; // ASCII STX
inline constexpr int32_t kEosToken = 3; // ASCII ETX

struct SequencePair {
  std::string source, target;
};

class ReverseTask {
public:
  // Throws Error unless 1 <= max_length.
  explicit ReverseTask(int64_t max_length);

  int64_t max_length() const { return max_length_; }
  static bool held_out(std::string_view source);
  // The target of any source (its reverse).
  static std::string target_of(std::string_view source);

  SequencePair example(Split split, uint64_t seed, int64_t index) const;

  // Examples `indices` of `split` as source [n, S], text and next_text
  // [n, T] (the layout above).
  void batch(Split split, uint64_t seed, std::span<const int64_t> indices,
             Tensor &source, Tensor &text, Tensor &next_text) const;

  // A source as an input row [1, S]; throws Error when it is empty, longer
  // than max_length or holds a 0 byte.
  Tensor encode_source(std::string_view source) const;

private:
  int64_t max_length_;
};

} // namespace kiln::rt
