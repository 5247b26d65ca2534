// Generating text from a language model's compiled entry points (the
// model's contract, docs/dsl.md): `prefill` consumes text [1, S] and a
// position and produces next-byte logits [1, S, V], filling the model's KV
// cache; `decode` consumes one byte [1, 1] at a position, appends to the
// cache in place and produces [1, 1, V]. W is the model's window: the
// positions' max (data::position(W)), else a static S. A prefill whose S
// is a symbol runs on the prompt's own bytes; one with a static S runs on
// the prompt right-padded to S = W.
//
// The window holds W positions. When it is full, the cache is rebuilt by a
// prefill of the last W / 2 bytes (learned positions: MODELS.md), and
// decoding continues at position W / 2.
#pragma once

#include "commands.h"

#include "kiln/runtime/model.h"
#include "kiln/runtime/session.h"
#include "kiln/runtime/tensor.h"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::cli {

// The prefill and decode entry points of `model` (the first infer entry
// points that consume text and a position and produce next-byte logits,
// with text [1, S] and [1, 1]). Throws UsageError when there are none, or
// when the window cannot be known.
struct TextEntries {
  const rt::EntryDesc *prefill = nullptr;
  const rt::EntryDesc *decode = nullptr;
  int64_t window = 0;          // W
  int64_t vocab = 0;           // V
  bool padded_prefill = false; // the prefill's text is [1, W], static
};
TextEntries text_entries(const rt::ModelDesc &model, const char *command);

class TextGenerator {
public:
  // With `recompute`, every step runs prefill over the whole window instead
  // of one decode step: slower, but no cache (the reference the cache must
  // equal).
  TextGenerator(rt::Session &session, const TextEntries &entries,
                bool recompute = false);

  // Starts from `prompt` (1 to W bytes; a longer one keeps its last W) and
  // returns the logits of the byte after it.
  std::span<const float> start(std::span<const uint8_t> prompt);
  // Appends `byte` and returns the logits of the byte after it.
  std::span<const float> next(uint8_t byte);

  // The bytes the model now sees, positions 0 .. size - 1.
  const std::vector<uint8_t> &window() const { return window_; }
  // Cache rebuilds so far.
  int64_t rebuilds() const { return rebuilds_; }

private:
  std::span<const float> prefill();
  rt::Session &session_;
  TextEntries entries_;
  bool recompute_;
  std::vector<uint8_t> window_;
  rt::Tensor logits_;
  int64_t rebuilds_ = 0;
};

// How the next byte is drawn from logits.
struct Sampling {
  double temperature = 1.0; // 0: greedy (the largest logit)
  int top_k = 0;            // keep the k most likely bytes; 0: all
  double top_p = 1.0;       // keep the fewest bytes whose mass is >= top_p
};

// Throws UsageError for a negative or non-finite temperature, top_k < 0 or
// above `vocab`, top_p outside (0, 1].
void check_sampling(const Sampling &sampling, int64_t vocab);

// Draws a byte from `logits` with the uniform number u in [0, 1). Greedy
// picks the first largest logit.
int sample_token(std::span<const float> logits, const Sampling &sampling,
                 double u);

// A uniform number in [0, 1) for token `index` of a generation: Philox
// stream kTextStream of `seed`.
double token_uniform(uint64_t seed, uint64_t index);

// An encoder-decoder's entry point: source [batch, S] and the decoder's
// input text [batch, T] to next-byte logits [batch, T, V] (the model's
// contract; kiln/runtime/sequence_task.h has the token layout).
struct TransduceEntry {
  const rt::EntryDesc *entry = nullptr;
  int64_t source_length = 0, target_length = 0, vocab = 0;
};
// The first such infer entry point of `model`, or one with entry == null.
TransduceEntry find_transduce_entry(const rt::ModelDesc &model);

// The output of each source row [n, S]: the decoder's input starts as BOS
// and grows by the byte drawn from the logits of its last position until
// EOS or T bytes (byte t of row r draws token_uniform(seed, r * T + t)).
// Calls `entry` in batches of `batch` rows, T times each.
std::vector<std::string> transduce(rt::Session &session,
                                   const TransduceEntry &entry,
                                   const rt::Tensor &sources,
                                   const Sampling &sampling, uint64_t seed,
                                   int64_t batch);

} // namespace kiln::cli
