#include "kiln/runtime/sequence_task.h"

#include "kiln/runtime/error.h"
#include "kiln/runtime/philox.h"

#include <fmt/format.h>

#include <algorithm>

namespace kiln::rt {
namespace {

constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
// Philox streams of the examples: one per (split, index), disjoint from
// random.h's (below 2^56).
constexpr uint64_t kTaskStreamBase = uint64_t{1} << 56;

uint64_t fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : s) {
    h ^= uint8_t(c);
    h *= 0x100000001b3ull;
  }
  return h;
}

} // namespace

ReverseTask::ReverseTask(int64_t max_length) : max_length_(max_length) {
  if (max_length < 1)
    throw Error(fmt::format("reverse task: max length {} < 1", max_length));
}

bool ReverseTask::held_out(std::string_view source) {
  return fnv1a(source) % 10 == 0;
}

std::string ReverseTask::target_of(std::string_view source) {
  return std::string(source.rbegin(), source.rend());
}

SequencePair ReverseTask::example(Split split, uint64_t seed,
                                  int64_t index) const {
  // Draw until the source falls in the split (about 1 in 10 for test).
  const uint64_t stream = kTaskStreamBase + (split == Split::test ? 1 : 0) +
                          2 * static_cast<uint64_t>(index);
  for (uint64_t block = 0;; ++block) {
    const PhiloxCounter r = philox_block(seed, stream, block);
    // Length in [1, max], then characters, from a running 32-bit state.
    uint64_t state = (uint64_t{r[0]} << 32) | r[1];
    auto next = [&](uint64_t n) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      return (state >> 33) % n;
    };
    const int64_t length = 1 + int64_t(next(uint64_t(max_length_)));
    std::string s;
    for (int64_t i = 0; i < length; ++i)
      s.push_back(kAlphabet[next(kAlphabet.size())]);
    if (held_out(s) == (split == Split::test))
      return {s, target_of(s)};
  }
}

void ReverseTask::batch(Split split, uint64_t seed,
                        std::span<const int64_t> indices, Tensor &source,
                        Tensor &text, Tensor &next_text) const {
  const auto n = static_cast<int64_t>(indices.size());
  const int64_t s = max_length_, t = max_length_ + 1;
  source = Tensor({n, s}, DType::i32);
  text = Tensor({n, t}, DType::i32);
  next_text = Tensor({n, t}, DType::i32);
  std::fill(source.ints(), source.ints() + n * s, kPadToken);
  std::fill(text.ints(), text.ints() + n * t, kPadToken);
  std::fill(next_text.ints(), next_text.ints() + n * t, kPadToken);
  for (int64_t r = 0; r < n; ++r) {
    const SequencePair p = example(split, seed, indices[size_t(r)]);
    for (size_t i = 0; i < p.source.size(); ++i)
      source.ints()[r * s + int64_t(i)] = uint8_t(p.source[i]);
    text.ints()[r * t] = kBosToken;
    for (size_t i = 0; i < p.target.size(); ++i) {
      text.ints()[r * t + int64_t(i) + 1] = uint8_t(p.target[i]);
      next_text.ints()[r * t + int64_t(i)] = uint8_t(p.target[i]);
    }
    next_text.ints()[r * t + int64_t(p.target.size())] = kEosToken;
  }
}

Tensor ReverseTask::encode_source(std::string_view text) const {
  if (text.empty() || int64_t(text.size()) > max_length_)
    throw Error(fmt::format("the input has {} bytes; the model takes 1 to {}",
                            text.size(), max_length_));
  if (text.find('\0') != std::string_view::npos)
    throw Error("the input holds a 0 byte, which is the padding token");
  std::vector<int32_t> row(size_t(max_length_), kPadToken);
  for (size_t i = 0; i < text.size(); ++i)
    row[i] = uint8_t(text[i]);
  return Tensor::of_ints({1, max_length_}, std::move(row));
}

} // namespace kiln::rt
