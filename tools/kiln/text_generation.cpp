#include "text_generation.h"

#include "contract.h"

#include "kiln/runtime/philox.h"
#include "kiln/runtime/random.h"
#include "kiln/runtime/sequence_task.h"
#include "kiln/runtime/shapes.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace kiln::cli {
namespace {

// The length of text [1, n]: n when static, kSymbolic when a symbol, 0 when
// the text is not [1, n].
constexpr int64_t kSymbolic = -1;
int64_t text_length(const rt::EntryDesc &e) {
  const int k = input_of(e, rt::DataKind::text);
  if (k < 0)
    return 0;
  const rt::TensorDesc &t = e.inputs[size_t(k)];
  if (t.dims.size() != 2 || !t.dims[0].symbol.empty() || t.dims[0].size != 1)
    return 0;
  return t.dims[1].symbol.empty() ? t.dims[1].size : kSymbolic;
}

// Whether logits [1, n, V] follow text of length n (both the same symbol
// when symbolic).
bool logits_fit(const rt::EntryDesc &e, int64_t n) {
  const rt::TensorDesc &text =
      e.inputs[size_t(input_of(e, rt::DataKind::text))];
  const rt::TensorDesc &out = e.outputs[0];
  return out.dims.size() == 3 && out.dims[0].symbol.empty() &&
         out.dims[0].size == 1 && out.dims[1].symbol == text.dims[1].symbol &&
         (n == kSymbolic || out.dims[1].size == n) &&
         out.dims[2].symbol.empty() && out.dims[2].size > 0;
}

// The window a position lies in (data::position(W)), 0 when not stated.
int64_t stated_window(const rt::EntryDesc &e) {
  const int k = input_of(e, rt::DataKind::position);
  return k < 0 ? 0 : int64_t(e.inputs[size_t(k)].data.max);
}

} // namespace

TextEntries text_entries(const rt::ModelDesc &model, const char *command) {
  const Need need{"consumes text and a position and produces next-byte "
                  "logits",
                  {rt::DataKind::text, rt::DataKind::position},
                  {},
                  rt::DataKind::next_logits};
  TextEntries found;
  for (const rt::EntryDesc &e : model.entries) {
    if (!fits(e, need))
      continue;
    const int64_t n = text_length(e);
    if (n == 0 || !logits_fit(e, n))
      continue;
    if (n == 1 && !found.decode)
      found.decode = &e;
    else if (n != 1 && !found.prefill)
      found.prefill = &e;
  }
  if (!found.prefill || !found.decode)
    throw UsageError(fmt::format(
        "kiln {} needs two infer entry points that {}: a prefill with text "
        "[1, S] and logits [1, S, V], and a decode step with text [1, 1] "
        "and logits [1, 1, V]; {} has {} (docs/dsl.md)",
        command, need.what, model.name,
        found.prefill ? "no decode step" : "no prefill"));
  const rt::EntryDesc &prefill = *found.prefill, &decode = *found.decode;
  const int64_t length = text_length(prefill);
  found.padded_prefill = length != kSymbolic;
  const int64_t stated = stated_window(prefill), other = stated_window(decode);
  if (stated > 0 && other > 0 && stated != other)
    throw UsageError(fmt::format(
        "kiln {}: {}.{} and {}.{} state different windows ({} and {} "
        "positions, data::position)",
        command, model.name, prefill.name, model.name, decode.name, stated,
        other));
  found.window = std::max(stated, other);
  if (found.window == 0 && length == kSymbolic)
    throw UsageError(fmt::format(
        "kiln {}: {}.{} takes text of any length, so the window must be "
        "stated: data::position(W) in its consumes() (docs/dsl.md)",
        command, model.name, prefill.name));
  if (found.window == 0)
    found.window = length;
  if (found.window < 2)
    throw UsageError(fmt::format(
        "kiln {}: {}'s window of {} position(s) leaves no room to generate "
        "(data::position(W) needs W >= 2)",
        command, model.name, found.window));
  if (found.padded_prefill && length != found.window)
    throw UsageError(fmt::format(
        "kiln {}: {}.{} takes text of {} bytes, but the window is {} "
        "(data::position)",
        command, model.name, prefill.name, length, found.window));
  found.vocab = prefill.outputs[0].dims[2].size;
  if (decode.outputs[0].dims[2].size != found.vocab)
    throw UsageError(fmt::format(
        "{}.{} and {}.{} disagree on the vocabulary ({} and {} logits)",
        model.name, prefill.name, model.name, decode.name, found.vocab,
        decode.outputs[0].dims[2].size));
  return found;
}

TextGenerator::TextGenerator(rt::Session &session, const TextEntries &entries,
                             bool recompute)
    : session_(session), entries_(entries), recompute_(recompute) {}

std::span<const float> TextGenerator::prefill() {
  // The prompt itself, or right-padded to a static prefill's window.
  const int64_t n =
      entries_.padded_prefill ? entries_.window : int64_t(window_.size());
  std::vector<int32_t> text(size_t(n), 0);
  std::copy(window_.begin(), window_.end(), text.begin());
  const rt::Tensor x = rt::Tensor::of_ints({1, n}, std::move(text));
  const rt::Tensor at = rt::Tensor::of_ints({}, {0});
  const rt::EntryDesc &e = *entries_.prefill;
  std::vector<const rt::Tensor *> inputs(e.inputs.size());
  inputs[size_t(input_of(e, rt::DataKind::text))] = &x;
  inputs[size_t(input_of(e, rt::DataKind::position))] = &at;
  rt::Tensor *out = &logits_;
  session_.run(e.name, inputs, std::span<rt::Tensor *const>(&out, 1));
  const int64_t v = entries_.vocab;
  return {logits_.data() + (int64_t(window_.size()) - 1) * v, size_t(v)};
}

std::span<const float> TextGenerator::start(std::span<const uint8_t> prompt) {
  if (prompt.empty())
    throw std::invalid_argument("TextGenerator::start: an empty prompt");
  const auto w = size_t(entries_.window);
  const std::span<const uint8_t> kept =
      prompt.size() > w ? prompt.last(w) : prompt;
  window_.assign(kept.begin(), kept.end());
  return prefill();
}

std::span<const float> TextGenerator::next(uint8_t byte) {
  const auto w = size_t(entries_.window);
  if (window_.size() == w) { // full: rebuild from the last W / 2 bytes
    window_.erase(window_.begin(), window_.end() - std::ptrdiff_t(w / 2) + 1);
    window_.push_back(byte);
    ++rebuilds_;
    return prefill();
  }
  window_.push_back(byte);
  if (recompute_)
    return prefill();
  const rt::Tensor x = rt::Tensor::of_ints({1, 1}, {byte});
  const rt::Tensor at =
      rt::Tensor::of_ints({}, {static_cast<int32_t>(window_.size() - 1)});
  const rt::EntryDesc &e = *entries_.decode;
  std::vector<const rt::Tensor *> inputs(e.inputs.size());
  inputs[size_t(input_of(e, rt::DataKind::text))] = &x;
  inputs[size_t(input_of(e, rt::DataKind::position))] = &at;
  rt::Tensor *out = &logits_;
  session_.run(e.name, inputs, std::span<rt::Tensor *const>(&out, 1));
  return {logits_.data(), size_t(entries_.vocab)};
}

void check_sampling(const Sampling &s, int64_t vocab) {
  if (!std::isfinite(s.temperature) || s.temperature < 0)
    throw UsageError(fmt::format("--temperature {}: must be >= 0 (0 is "
                                 "greedy decoding)",
                                 s.temperature));
  if (s.top_k < 0 || s.top_k > vocab)
    throw UsageError(fmt::format("--top-k {}: must be in [0, {}] (the "
                                 "vocabulary; 0 keeps every byte)",
                                 s.top_k, vocab));
  if (!(s.top_p > 0 && s.top_p <= 1))
    throw UsageError(fmt::format(
        "--top-p {}: must be in (0, 1] (1 keeps every byte)", s.top_p));
}

int sample_token(std::span<const float> logits, const Sampling &s, double u) {
  const auto n = logits.size();
  if (s.temperature == 0)
    return int(std::max_element(logits.begin(), logits.end()) - logits.begin());
  // Candidates by decreasing logit (ties: lower index first).
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int a, int b) {
    return logits[a] > logits[b] || (logits[a] == logits[b] && a < b);
  });
  size_t keep = s.top_k > 0 ? std::min(n, size_t(s.top_k)) : n;
  std::vector<double> p(keep);
  const double top = logits[order[0]];
  double total = 0;
  for (size_t i = 0; i < keep; ++i)
    total += p[i] = std::exp((logits[order[i]] - top) / s.temperature);
  if (s.top_p < 1) {
    double mass = 0;
    size_t j = 0;
    while (j < keep && mass < s.top_p * total)
      mass += p[j++];
    keep = std::max<size_t>(j, 1);
    total = std::accumulate(p.begin(), p.begin() + std::ptrdiff_t(keep), 0.0);
  }
  double target = u * total;
  for (size_t i = 0; i < keep; ++i) {
    target -= p[i];
    if (target < 0)
      return order[i];
  }
  return order[keep - 1];
}

double token_uniform(uint64_t seed, uint64_t index) {
  const rt::PhiloxCounter r = rt::philox_block(seed, rt::kTextStream, index);
  const uint64_t bits = ((uint64_t{r[0]} << 32) | r[1]) >> 11; // 53 bits
  return double(bits) * 0x1p-53;
}

TransduceEntry find_transduce_entry(const rt::ModelDesc &model) {
  const Need need{"consumes a source and text and produces next-byte logits",
                  {rt::DataKind::source, rt::DataKind::text},
                  {},
                  rt::DataKind::next_logits};
  for (const rt::EntryDesc &e : model.entries) {
    if (!fits(e, need))
      continue;
    const rt::TensorDesc &src =
        e.inputs[size_t(input_of(e, rt::DataKind::source))];
    const rt::TensorDesc &text =
        e.inputs[size_t(input_of(e, rt::DataKind::text))];
    const rt::TensorDesc &out = e.outputs[0];
    if (src.dims.size() == 2 && text.dims.size() == 2 &&
        !text.dims[1].symbol.empty())
      throw UsageError(fmt::format(
          "{}.{}: an encoder-decoder's text needs a static length (the "
          "target's room, [batch, T]), got the symbol {}",
          model.name, e.name, text.dims[1].symbol));
    if (src.dims.size() == 2 && text.dims.size() == 2 && out.dims.size() == 3 &&
        out.dims[1].symbol.empty() && out.dims[1].size == text.dims[1].size)
      return {&e, src.dims[1].size, text.dims[1].size, out.dims[2].size};
  }
  return {};
}

std::vector<std::string> transduce(rt::Session &session,
                                   const TransduceEntry &te,
                                   const rt::Tensor &sources,
                                   const Sampling &sampling, uint64_t seed,
                                   int64_t batch) {
  const rt::EntryDesc &e = *te.entry;
  const int64_t n = sources.dim(0), s = te.source_length, t = te.target_length,
                v = te.vocab;
  std::vector<std::string> outputs(static_cast<size_t>(n));
  const size_t src_at = size_t(input_of(e, rt::DataKind::source));
  const size_t text_at = size_t(input_of(e, rt::DataKind::text));
  for (int64_t begin = 0; begin < n; begin += batch) {
    const int64_t rows = std::min(batch, n - begin);
    const rt::Tensor src = rt::Tensor::of_ints(
        {rows, s}, std::vector<int32_t>(sources.ints() + begin * s,
                                        sources.ints() + (begin + rows) * s));
    rt::Tensor text = rt::Tensor::of_ints(
        {rows, t}, std::vector<int32_t>(size_t(rows * t), rt::kPadToken));
    std::vector<bool> done(size_t(rows), false);
    for (int64_t r = 0; r < rows; ++r)
      text.ints()[r * t] = rt::kBosToken;
    std::vector<const rt::Tensor *> inputs(e.inputs.size());
    inputs[src_at] = &src;
    inputs[text_at] = &text;
    rt::Tensor logits;
    rt::Tensor *out = &logits;
    for (int64_t step = 0; step < t; ++step) {
      if (std::all_of(done.begin(), done.end(), [](bool d) { return d; }))
        break;
      session.run(e.name, inputs, std::span<rt::Tensor *const>(&out, 1));
      for (int64_t r = 0; r < rows; ++r) {
        if (done[size_t(r)])
          continue;
        const uint64_t row = uint64_t(begin + r);
        const int token = sample_token(
            {logits.data() + (r * t + step) * v, size_t(v)}, sampling,
            token_uniform(seed, row * uint64_t(t) + uint64_t(step)));
        if (token == rt::kEosToken) {
          done[size_t(r)] = true;
          continue;
        }
        outputs[size_t(begin + r)].push_back(char(token));
        if (step + 1 < t)
          text.ints()[r * t + step + 1] = token;
        else
          done[size_t(r)] = true;
      }
    }
  }
  return outputs;
}

} // namespace kiln::cli
