// kiln generate MODEL --checkpoint CKPT --prompt TEXT: text from a language
// model, streamed to `out` byte by byte as it is sampled (text_generation.h).
#include "commands.h"
#include "text_generation.h"
#include "workflow.h"

#include "kiln/runtime/error.h"
#include "kiln/runtime/sequence_task.h"

#include <fmt/ostream.h>

#include <sstream>

#include <chrono>

namespace kiln::cli {

namespace {

// An encoder-decoder: --input to its output.
int transduce_command(const GenerateOptions &options, const TransduceEntry &te,
                      std::ostream &out, std::ostream &err) {
  const Sampling sampling{options.temperature, options.top_k, options.top_p};
  check_sampling(sampling, te.vocab);
  if (options.input.empty())
    throw UsageError(fmt::format("kiln generate {} needs --input TEXT (1 to "
                                 "{} bytes): it is an encoder-decoder",
                                 options.common.model, te.source_length));
  if (!options.prompt.empty())
    throw UsageError("--prompt is for language models; an encoder-decoder "
                     "takes --input");
  std::ostringstream ignored;
  std::unique_ptr<rt::Session> session =
      open_session(options.common, options.quiet ? ignored : err);
  const rt::ReverseTask task(te.source_length);
  rt::Tensor source;
  try {
    source = task.encode_source(options.input);
  } catch (const rt::Error &e) {
    throw UsageError(fmt::format("--input: {}", e.what()));
  }
  out << transduce(*session, te, source, sampling, options.common.seed, 1)[0]
      << '\n';
  return kExitOk;
}

} // namespace

int generate_command(const GenerateOptions &options, std::ostream &out,
                     std::ostream &err) {
  const rt::ModelDesc &model = require_model(options.common.model);
  if (const TransduceEntry te = find_transduce_entry(model); te.entry)
    return transduce_command(options, te, out, err);
  if (!options.input.empty())
    throw UsageError(fmt::format("--input is for encoder-decoders; {} "
                                 "continues a --prompt",
                                 model.name));
  const TextEntries entries = text_entries(model, "generate");
  const Sampling sampling{options.temperature, options.top_k, options.top_p};
  check_sampling(sampling, entries.vocab);
  if (entries.vocab > 256)
    throw UsageError(fmt::format("kiln generate writes bytes, but {} "
                                 "predicts {} tokens",
                                 model.name, entries.vocab));
  // An empty prompt starts after a newline (the corpus's separator), which
  // is not printed.
  std::vector<uint8_t> prompt(options.prompt.begin(), options.prompt.end());
  const bool empty = prompt.empty();
  if (empty)
    prompt.push_back('\n');
  std::ostringstream ignored;
  std::unique_ptr<rt::Session> session =
      open_session(options.common, options.quiet ? ignored : err);
  if (!options.quiet && prompt.size() > size_t(entries.window))
    fmt::print(err,
               "the prompt has {} bytes; the model sees the last {} (its "
               "window)\n",
               prompt.size(), entries.window);

  TextGenerator generator(*session, entries, options.recompute);
  using Clock = std::chrono::steady_clock;
  const auto begin = Clock::now();
  std::span<const float> logits = generator.start(prompt);
  const std::chrono::duration<double> first = Clock::now() - begin;
  if (!empty && options.echo)
    out.write(options.prompt.data(), std::streamsize(options.prompt.size()));
  for (int64_t i = 0; i < options.tokens; ++i) {
    const int token = sample_token(
        logits, sampling, token_uniform(options.common.seed, uint64_t(i)));
    out.put(char(token));
    out.flush();
    if (i + 1 < options.tokens)
      logits = generator.next(uint8_t(token));
  }
  out << '\n';
  const std::chrono::duration<double> total = Clock::now() - begin;
  if (!options.quiet)
    fmt::print(err,
               "{} bytes in {:.3f} s ({:.0f} bytes/s); first byte after "
               "{:.1f} ms (prefill of {} bytes); {} cache rebuilds\n",
               options.tokens, total.count(),
               double(options.tokens) / total.count(), first.count() * 1e3,
               std::min<size_t>(prompt.size(), size_t(entries.window)),
               generator.rebuilds());
  return kExitOk;
}

} // namespace kiln::cli
