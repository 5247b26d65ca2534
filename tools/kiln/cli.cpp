// Command-line parsing (CLI11) and the error policy: usage mistakes exit 2
// with the valid choices, runtime failures exit 1, nothing escapes main.
#include "cli.h"

#include "commands.h"
#include "model_commands.h"

#include "kiln/runtime/device.h"
#include "kiln/runtime/error.h"
#include "kiln/runtime/model.h"
#include "kiln/runtime/profile.h"

#include <CLI/CLI.hpp>
#include <fmt/ostream.h>

#include <algorithm>
#include <filesystem>
#include <new>
#include <optional>
#include <string>
#include <vector>

namespace kiln::cli {
namespace {

std::string model_names() {
  std::string names;
  for (const rt::ModelDesc *m : rt::registered_models())
    names += fmt::format("{}{}", names.empty() ? "" : ", ", m->name);
  return names;
}

// CLI11's messages, made specific where a user is likely to go wrong.
int report_parse_error(CLI::App &app, const CLI::ParseError &e, int argc,
                       const char *const *argv, std::ostream &err) {
  const std::vector<CLI::App *> selected = app.get_subcommands();
  if (selected.empty() && argc > 1 && argv[1][0] != '-') {
    std::string commands;
    for (const CLI::App *sub : app.get_subcommands({}))
      commands += (commands.empty() ? "" : ", ") + sub->get_name();
    fmt::print(err, "kiln: error: unknown command '{}'; commands: {}\n",
               argv[1], commands);
    return kExitUsage;
  }
  fmt::print(err, "kiln: error: {}\n", e.what());
  // An unexpected argument is usually a misspelt flag: show the valid ones.
  if (dynamic_cast<const CLI::ExtrasError *>(&e) != nullptr)
    fmt::print(err, "\n{}", app.help());
  else
    fmt::print(err, "run 'kiln{}{} --help' for usage\n",
               selected.empty() ? "" : " ",
               selected.empty() ? "" : selected[0]->get_name());
  return kExitUsage;
}

} // namespace

const rt::ModelDesc &require_model(const std::string &name) {
  if (name.empty() || rt::find_model(name) == nullptr) {
    const std::string names = model_names();
    const std::string problem = name.empty()
                                    ? "missing MODEL"
                                    : fmt::format("unknown model '{}'", name);
    throw UsageError(
        names.empty()
            ? fmt::format("{}: no models are linked into this kiln", problem)
            : fmt::format("{}; models: {}", problem, names));
  }
  return *rt::find_model(name);
}

const rt::EntryDesc &require_entry(const rt::ModelDesc &model,
                                   const std::string &name) {
  if (const rt::EntryDesc *e = model.find_entry(name); e && !name.empty())
    return *e;
  std::string names;
  for (const rt::EntryDesc &e : model.entries)
    names += fmt::format("{}{}", names.empty() ? "" : ", ", e.name);
  const std::string problem =
      name.empty()
          ? fmt::format("missing ENTRY for {}", model.name)
          : fmt::format("{} has no entry point '{}'", model.name, name);
  throw UsageError(fmt::format("{}; entry points: {}", problem,
                               names.empty() ? "none" : names));
}

int run_cli(int argc, const char *const *argv, std::ostream &out,
            std::ostream &err) {
  CLI::App app{"Runs generative models compiled by kilnc.", "kiln"};
  app.set_version_flag("--version", "kiln 0.1");
  app.require_subcommand(0, 1);
  // --device, on the program and on every command (so that each command's
  // --help lists it). Unless given, the process's default device stays
  // (cpu, or what a test harness chose).
  std::string device = "cpu";
  std::vector<CLI::Option *> device_options;
  // --profile likewise: where a command's time goes, kernel by kernel,
  // without writing a benchmark (schedule research, a first look at a GPU).
  bool profile = false;
  auto add_common_options = [&](CLI::App &command) {
    command.add_flag("--profile", profile,
                     "Time every kernel call and print the time per kernel "
                     "to stderr when the command ends (on a GPU each call "
                     "is waited for, which slows the run)");
    device_options.push_back(
        command
            .add_option("--device", device,
                        "Where kernels run: cpu, cuda (an NVIDIA GPU) or "
                        "opencl (an OpenCL device, e.g. PoCL on the CPU); "
                        "GPU devices need a model built with GPU kernels")
            ->check(CLI::IsMember({"cpu", "cuda", "opencl"}))
            ->capture_default_str());
  };
  add_common_options(app);

  CLI::App *list =
      app.add_subcommand("list", "List models and their entry points");

  std::string info_model;
  CLI::App *info =
      app.add_subcommand("info", "Show a model's parameters and entry points");
  info->add_option("MODEL", info_model, "Model name (see `kiln list`)");

  RunOptions run_options;
  CLI::App *run =
      app.add_subcommand("run", "Run an entry point once on random inputs");
  run->footer("Parameters are initialised from --seed (or loaded with "
              "--checkpoint) and inputs drawn from\nN(0, 1) with the same "
              "seed (integer inputs are 0), or read from --inputs; each\n"
              "output's shape, first values and mean/std/min/max are printed "
              "(and written with --out).");
  run->add_option("MODEL", run_options.model, "Model name (see `kiln list`)");
  run->add_option("ENTRY", run_options.entry,
                  "Entry point name (see `kiln info MODEL`)");
  run->add_option("--batch,-b", run_options.batch,
                  "Size bound to every symbolic dimension (e.g. batch)")
      ->check(at_least(1))
      ->capture_default_str();
  run->add_option("--dim", run_options.dims,
                  "NAME=SIZE: size of one symbolic dimension, overriding "
                  "--batch (repeatable)");
  run->add_option("--seed,-s", run_options.seed,
                  "Seed of the parameters and inputs")
      ->check(seed_value())
      ->capture_default_str();
  run->add_option("--threads,-t", run_options.threads,
                  "Threads for the kernels; 0 = one per core")
      ->check(at_least(0))
      ->capture_default_str();
  run->add_option("--show", run_options.show, "Values printed per output")
      ->check(at_least(0))
      ->capture_default_str();
  run->add_option("--checkpoint,-c", run_options.checkpoint,
                  "Load these weights (a checkpoint or weights file) instead "
                  "of the initial parameters");
  run->add_option("--inputs", run_options.inputs,
                  "safetensors file with one tensor per input, by the "
                  "input's name (their shapes bind the symbols)");
  run->add_option("--out,-o", run_options.out,
                  "Write the outputs, by name, to this safetensors file");

  ModelCommands model_commands;
  add_model_commands(app, model_commands);
  for (CLI::App *command : app.get_subcommands({}))
    add_common_options(*command);
  // An empty prompt is a prompt (the text starts after a newline).
  refuse_empty_values(app, {"--prompt"});

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp &e) {
    return app.exit(e, out, err);
  } catch (const CLI::CallForVersion &e) {
    return app.exit(e, out, err);
  } catch (const CLI::ParseError &e) {
    return report_parse_error(app, e, argc, argv, err);
  }

  // --device holds for this command only (tests run many in one process).
  struct RestoreDevice {
    rt::Device saved = rt::default_device();
    ~RestoreDevice() { rt::set_default_device(saved); }
  } restore_device;
  // Printed however the command ends, after its own messages.
  struct ProfileReport {
    std::optional<rt::Profiler> profiler;
    std::ostream &err;
    ~ProfileReport() {
      try {
        if (profiler && !profiler->entries().empty())
          fmt::print(err, "\ntime per kernel (--profile):\n{}",
                     profiler->report());
      } catch (...) { // out of memory: the command's own outcome stands
      }
    }
  } profile_report{{}, err};
  if (profile)
    profile_report.profiler.emplace();
  try {
    if (std::ranges::any_of(device_options,
                            [](CLI::Option *o) { return o->count() > 0; }))
      rt::set_default_device(rt::parse_device(device));
    if (*list)
      return list_command(out);
    if (*info)
      return info_command(info_model, out);
    if (*run)
      return run_command(run_options, out);
    if (const auto code = run_model_commands(model_commands, out, err))
      return *code;
    fmt::print(err, "kiln: error: missing command\n\n{}", app.help());
    return kExitUsage;
  } catch (const UsageError &e) {
    fmt::print(err, "kiln: error: {}\n", e.what());
    return kExitUsage;
  } catch (const rt::Error &e) {
    fmt::print(err, "kiln: error: {}\n", e.what());
    return kExitFailure;
  } catch (const std::bad_alloc &) {
    fmt::print(err, "kiln: error: out of memory (try a smaller --batch)\n");
    return kExitFailure;
  } catch (const std::filesystem::filesystem_error &e) {
    fmt::print(err, "kiln: error: {}\n", e.what());
    return kExitFailure;
  } catch (const std::exception &e) {
    fmt::print(err, "kiln: internal error: {}\n", e.what());
    return kExitFailure;
  }
}

} // namespace kiln::cli
