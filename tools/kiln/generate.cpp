// kiln generate MODEL --checkpoint CKPT --prompt TEXT: text from a language
// model, streamed to `out` byte by byte as it is sampled (text_generation.h).
#include "commands.h"
#include "text_generation.h"
#include "workflow.h"

#include <fmt/ostream.h>

#include <chrono>

namespace kiln::cli {

int generate_command(const GenerateOptions &options, std::ostream &out,
                     std::ostream &err) {
  const rt::ModelDesc &model = require_model(options.common.model);
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
