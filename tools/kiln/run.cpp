// kiln run MODEL ENTRY: one call of an entry point on seeded random inputs,
// or on the tensors of a safetensors file (--inputs), with the model's
// initial parameters or a checkpoint's; the outputs printed and, with
// --out, written to a safetensors file.
#include "commands.h"
#include "describe.h"
#include "stats.h"

#include "kiln/runtime/checkpoint.h"
#include "kiln/runtime/error.h"
#include "kiln/runtime/random.h"
#include "kiln/runtime/safetensors.h"
#include "kiln/runtime/session.h"
#include "kiln/runtime/shapes.h"
#include "kiln/runtime/threads.h"

#include <fmt/ostream.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <optional>

namespace kiln::cli {
namespace {

// Every symbol of the entry gets --batch, except those set with --dim.
rt::SymbolBindings bind_symbols(const RunOptions &options,
                                const rt::EntryDesc &entry,
                                const std::string &where) {
  const std::vector<std::string_view> symbols = rt::entry_symbols(entry);
  rt::SymbolBindings bindings;
  for (std::string_view s : symbols)
    bindings.bind(s, options.batch, "--batch");
  for (const std::string &dim : options.dims) {
    const size_t eq = dim.find('=');
    const std::string name = dim.substr(0, eq);
    int64_t size = 0;
    const char *end = dim.data() + dim.size();
    const bool parsed =
        eq != std::string::npos &&
        std::from_chars(dim.data() + eq + 1, end, size).ptr == end && size > 0;
    if (!parsed)
      throw UsageError(fmt::format(
          "--dim {}: expected NAME=SIZE with SIZE a positive integer", dim));
    if (std::ranges::find(symbols, name) == symbols.end())
      throw UsageError(
          symbols.empty()
              ? fmt::format("--dim {}: {} has no symbolic dimensions", dim,
                            where)
              : fmt::format("--dim {}: {} has no symbol '{}'; symbols: {}", dim,
                            where, name, fmt::join(symbols, ", ")));
    // Bind with the symbol's own storage: `name` dies with this loop.
    bindings.bind(*std::ranges::find(symbols, name), size, "--dim");
  }
  return bindings;
}

void print_output(const rt::TensorDesc &desc, const rt::Tensor &t, int show,
                  std::ostream &out) {
  const bool ints = t.dtype() == rt::DType::i32;
  fmt::print(out, "output {}: {}{}\n", desc.name, t.shape_string(),
             ints ? " i32" : "");
  std::vector<float> as_floats; // an i32 output's values, for the summary
  if (ints)
    as_floats.assign(t.ints(), t.ints() + t.numel());
  const std::span<const float> values =
      ints ? std::span<const float>(as_floats) : t.values();
  const size_t n = std::min(values.size(), static_cast<size_t>(show));
  std::string first;
  for (size_t i = 0; i < n; ++i)
    first += ints ? fmt::format("{}{}", i ? ", " : "", t.ints()[i])
                  : fmt::format("{}{:.6g}", i ? ", " : "", values[i]);
  if (n > 0)
    fmt::print(out, "  values: {}{}\n", first,
               n < values.size() ? ", ..." : "");
  const Summary s = summarize(values);
  fmt::print(out, "  mean {:.6g}  std {:.6g}  min {:.6g}  max {:.6g}\n", s.mean,
             s.std, s.min, s.max);
  if (s.nan || s.inf)
    fmt::print(out, "  non-finite: {} nan, {} inf (excluded above)\n", s.nan,
               s.inf);
}

} // namespace

int run_command(const RunOptions &options, std::ostream &out) {
  const rt::ModelDesc &model = require_model(options.model);
  const rt::EntryDesc &entry = require_entry(model, options.entry);
  const std::string where = fmt::format("{}.{}", model.name, entry.name);
  const rt::SymbolBindings bindings = bind_symbols(options, entry, where);

  // Before any kernel (Halide's pool, KILN_THREAD_POOL=halide, reads its
  // size when it starts; kiln's follows any later call).
  rt::set_num_threads(options.threads);
  rt::Session session(model, options.seed);
  fmt::print(out, "{} ({}), seed {}, threads {}\n", where, entry.kind,
             options.seed,
             options.threads ? std::to_string(options.threads) : "default");
  if (!options.checkpoint.empty()) {
    rt::load_checkpoint(options.checkpoint, session);
    fmt::print(out, "weights: {}\n", options.checkpoint);
  }
  std::optional<rt::SafetensorsFile> given;
  if (!options.inputs.empty())
    given = rt::read_safetensors(options.inputs);
  size_t tensors = 0;
  int64_t scalars = 0, state = 0;
  for (size_t i = 0; i < model.params.size(); ++i) {
    const int64_t n = session.params().at(i).numel();
    if (model.params[i].role == rt::ParamRole::parameter) {
      ++tensors;
      scalars += n;
    } else {
      state += n;
    }
  }
  fmt::print(
      out, "parameters: {} tensors, {} scalars{}\n", tensors, grouped(scalars),
      state ? fmt::format(" (+ {} of optimizer state)", grouped(state)) : "");

  std::vector<rt::Tensor> inputs;
  for (size_t k = 0; k < entry.inputs.size(); ++k) {
    const rt::TensorDesc &desc = entry.inputs[k];
    if (given) {
      const rt::NamedTensor *t = given->find(desc.name);
      if (!t)
        throw UsageError(fmt::format("--inputs {}: no tensor '{}' (the input "
                                     "{} of {})",
                                     options.inputs, desc.name, k, where));
      inputs.push_back(t->tensor); // shapes and dtypes: Session::run checks
      fmt::print(out, "input {}: {} from {}\n", desc.name,
                 inputs.back().shape_string(), options.inputs);
      continue;
    }
    // All bound. Integer inputs (token ids) are 0, an index every table
    // has; floats are N(0, 1).
    inputs.emplace_back(*rt::resolve(desc.dims, bindings), desc.dtype);
    if (desc.dtype == rt::DType::i32) {
      fmt::print(out, "input {}: {} i32, all 0\n", desc.name,
                 inputs.back().shape_string());
      continue;
    }
    rt::fill_normal(inputs.back().values(), options.seed,
                    rt::kInputStreamBase + k, 0.0, 1.0);
    fmt::print(out, "input {}: {} ~ N(0, 1)\n", desc.name,
               inputs.back().shape_string());
  }
  std::vector<const rt::Tensor *> input_ptrs;
  for (const rt::Tensor &t : inputs)
    input_ptrs.push_back(&t);

  const auto start = std::chrono::steady_clock::now();
  const std::vector<rt::Tensor> outputs = session.run(entry.name, input_ptrs);
  const std::chrono::duration<double, std::milli> elapsed =
      std::chrono::steady_clock::now() - start;

  for (size_t i = 0; i < outputs.size(); ++i)
    print_output(entry.outputs[i], outputs[i], options.show, out);
  if (!options.out.empty()) {
    std::vector<rt::TensorRef> refs;
    for (size_t i = 0; i < outputs.size(); ++i)
      refs.push_back({entry.outputs[i].name, &outputs[i]});
    rt::write_safetensors(options.out, refs);
    fmt::print(out, "outputs written to {}\n", options.out);
  }
  fmt::print(out, "time: {:.3f} ms (one call, including first-call setup)\n",
             elapsed.count());
  return kExitOk;
}

} // namespace kiln::cli
