// main() of a model generator program (kiln_add_model_generator): builds the
// model declared with KILN_MODEL and writes it as MLIR. Any error (a symbolic
// shape mismatch, a duplicate name) is printed with the model's file:line and
// the program exits non-zero without touching the output file.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include "kiln/dsl/error.h"
#include "registry.h"

namespace {

using kiln::dsl::detail::Registration;

constexpr int kUsageError = 2;

[[noreturn]] void usage_error(const char *argv0, const std::string &message) {
  fmt::print(stderr, "{}: error: {}\n", argv0, message);
  fmt::print(stderr, "Try '{} --help'.\n", argv0);
  std::exit(kUsageError);
}

// True when `path` already holds exactly `text`.
bool holds(const std::string &path, const std::string &text) {
  std::FILE *f = std::fopen(path.c_str(), "rb");
  if (!f)
    return false;
  std::string old(text.size() + 1, '\0'); // one more: a longer file differs
  const size_t got = std::fread(old.data(), 1, old.size(), f);
  std::fclose(f);
  return got == text.size() && old.compare(0, got, text) == 0;
}

// Writes next to the target and renames, so a failed or interrupted run
// never leaves a truncated .mlir that a build would take as up to date. An
// unchanged model is not rewritten: its time stamp stays, and the build
// (Ninja's restat) skips kilnc and the Halide compile after it.
bool write_atomically(const std::string &path, const std::string &text,
                      std::string &error) {
  if (holds(path, text))
    return true;
  std::string tmp = fmt::format("{}.tmp.{}", path, ::getpid());
  std::FILE *f = std::fopen(tmp.c_str(), "wb");
  if (!f) {
    error = fmt::format("cannot create '{}'", tmp);
    return false;
  }
  bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  ok = std::fclose(f) == 0 && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    error = fmt::format("cannot write '{}'", path);
    return false;
  }
  return true;
}

} // namespace

int main(int argc, char **argv) {
  const char *argv0 = argc > 0 ? argv[0] : "model_gen";
  std::string output, model;
  bool list = false;
  CLI::App app("Writes the Kiln model declared in this program (KILN_MODEL) "
               "as `kiln` dialect MLIR (docs/ir.md).",
               argv0);
  app.add_option("-o,--output", output,
                 "Write to FILE, atomically (temporary file + rename); '-' "
                 "writes to standard output")
      ->option_text("FILE");
  app.add_option("--model", model,
                 "The model to write, when the program declares several")
      ->option_text("NAME");
  app.add_flag("--list", list, "Print the names of the declared models");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp &) {
    fmt::print("{}", app.help());
    return 0;
  } catch (const CLI::ParseError &e) {
    usage_error(argv0, e.what());
  }

  const auto &models = kiln::dsl::detail::registered_models();
  if (list) {
    for (const Registration &r : models)
      fmt::print("{}\n", r.name);
    return 0;
  }
  if (output.empty())
    usage_error(argv0, "no output file (-o FILE)");

  const Registration *chosen = nullptr;
  for (const Registration &r : models)
    if (model.empty() ? models.size() == 1 : r.name == model)
      chosen = &r;
  if (!chosen) {
    std::string names;
    for (const Registration &r : models)
      names += fmt::format(" '{}'", r.name);
    if (models.empty())
      usage_error(argv0, "this program declares no model (KILN_MODEL)");
    usage_error(argv0,
                model.empty()
                    ? fmt::format("several models, pick one with "
                                  "--model:{}",
                                  names)
                    : fmt::format("no model '{}'; declared:{}", model, names));
  }

  std::string text;
  try {
    text = kiln::dsl::detail::generate(*chosen);
  } catch (const kiln::dsl::Error &e) {
    fmt::print(stderr, "{}\n", e.what());
    return 1;
  } catch (const std::exception &e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }

  if (output == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return std::fflush(stdout) == 0 ? 0 : 1;
  }
  std::string error;
  if (!write_atomically(output, text, error)) {
    fmt::print(stderr, "{}: error: {}\n", argv0, error);
    return 1;
  }
  return 0;
}
