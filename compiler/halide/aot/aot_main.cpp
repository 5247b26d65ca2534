// main() of kiln-halide-aot programs: link it with a generated
// NAME.kernels.cpp (and kernel_support) and run the result at build time
// to turn every registered generator into one static library plus one C
// header:
//   DIR/libkiln_NAME_kernels.a   the kernels, without the Halide runtime
//                                (link kiln_halide_runtime once per program)
//   DIR/kiln_NAME_kernels.h      int kiln_..._kN(halide_buffer_t *...) etc.
// Each kernel is compiled to its own object so that the per-kernel
// progress line includes code generation time.
#include "autoscheduler.h"
#include "options.h"
#include "process_pool.h"
#include "staging_dir.h"
#include "target_list.h"
#include "variants.h"

#include <Halide.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace Halide;
using kiln::halide::aot::Options;
using kiln::halide::aot::StagingDir;

constexpr const char *kTool = "kiln-halide-aot";

// A failure in one kernel, named in the message.
struct KernelError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The targets of --target, each without a runtime: one standalone runtime
// (kiln_halide_runtime) serves every model.
std::vector<Target> resolve_targets(const std::string &spec) {
  std::vector<Target> targets = kiln::halide::aot::parse_target_list(spec);
  for (Target &t : targets)
    t = t.with_feature(Target::NoRuntime);
  return targets;
}

// Halide derives the include guard from the path it wrote to, which is the
// random staging directory; a guard from the name keeps the header
// deterministic (no spurious rebuilds of its includers).
// Also appends the table of variants (variants.h) inside the guard.
void finish_header(const std::filesystem::path &header, const std::string &base,
                   const std::string &variants) {
  std::ifstream in(header);
  std::stringstream text;
  text << in.rdbuf();
  in.close();
  std::string s = text.str();
  const std::string define = "#define ";
  const size_t ifndef_end = s.find('\n');
  const size_t define_pos = s.find(define, ifndef_end);
  if (s.rfind("#ifndef ", 0) != 0 || define_pos == std::string::npos) {
    throw std::runtime_error("unexpected header layout from Halide in " +
                             header.string());
  }
  const std::string old_guard = s.substr(8, ifndef_end - 8);
  std::string guard = base + "_h";
  std::transform(guard.begin(), guard.end(), guard.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  for (size_t at = s.find(old_guard); at != std::string::npos;
       at = s.find(old_guard, at + guard.size())) {
    s.replace(at, old_guard.size(), guard);
  }
  const size_t last_endif = s.rfind("#endif");
  if (last_endif == std::string::npos)
    throw std::runtime_error("no closing #endif in " + header.string());
  s.insert(last_endif, variants + "\n");
  std::ofstream out(header, std::ios::trunc);
  out << s;
  if (!out.flush()) {
    throw std::runtime_error("cannot write " + header.string());
  }
}

// A kernel's declaration, what the header needs of it, passed from the
// process that built the kernel to the one that writes the header: its
// linkage, then one argument per line (kind, dimensions, type code, bits,
// lanes, name).
void write_declaration(const std::filesystem::path &file,
                       const Internal::LoweredFunc &f) {
  std::ofstream out(file);
  out << int(f.linkage) << '\n';
  for (const Internal::LoweredArgument &a : f.args) {
    // Halide makes a Func's name unique with a counter ("out0$3", and so
    // a Tuple output's buffer "out0$3.1") that depends on what this
    // process built before (another kernel, or another target's variant):
    // the generator's own name keeps the header the same whichever process
    // built the kernel.
    std::string name = a.name;
    for (size_t at = name.find('$'); at != std::string::npos;
         at = name.find('$', at)) {
      size_t end = at + 1;
      while (end < name.size() &&
             std::isdigit(static_cast<unsigned char>(name[end])))
        ++end;
      name.erase(at, end - at);
    }
    out << int(a.kind) << ' ' << int(a.dimensions) << ' ' << int(a.type.code())
        << ' ' << a.type.bits() << ' ' << a.type.lanes() << ' ' << name << '\n';
  }
  if (!out.flush())
    throw std::runtime_error("cannot write " + file.string());
}

Internal::LoweredFunc read_declaration(const std::filesystem::path &file,
                                       const std::string &function) {
  std::ifstream in(file);
  int linkage;
  if (!(in >> linkage))
    throw std::runtime_error("missing or empty " + file.string());
  std::vector<Internal::LoweredArgument> args;
  int kind, dims, code, bits, lanes;
  std::string name;
  while (in >> kind >> dims >> code >> bits >> lanes >> name)
    args.emplace_back(name, Argument::Kind(kind),
                      Type(halide_type_code_t(code), bits, lanes),
                      uint8_t(dims), ArgumentEstimates{});
  return Internal::LoweredFunc(function, args, {}, LinkageType(linkage));
}

bool is_fallback(const std::string &generator) {
  const std::string suffix = "_fallback";
  return generator.size() > suffix.size() &&
         generator.compare(generator.size() - suffix.size(), suffix.size(),
                           suffix) == 0;
}

// The first line of an error message, shortened: what a progress line
// can show.
std::string first_line(const std::string &message) {
  std::string line = message.substr(0, message.find('\n'));
  constexpr size_t kMax = 160;
  return line.size() > kMax ? line.substr(0, kMax) + "..." : line;
}

Module build_generator(const std::string &generator,
                       const std::string &function, const Target &target,
                       bool auto_schedule, const MachineParams &params) {
  // A fresh context per generator: a context carries the tracker that
  // checks one generator's parameter constraints between build steps,
  // and generators with different inputs of the same name would trip it.
  const GeneratorContext context(target, auto_schedule, params);
  auto instance = Internal::GeneratorRegistry::create(generator, context);
  return instance->build_module(function);
}

// Builds one kernel, autoscheduled when `auto_schedule`. kilnc registers a
// hand-scheduled twin "<kernel>_fallback" of each autoscheduled kernel with
// symbolic sizes, for calls below the autoscheduler's size estimates
// (docs/architecture.md). A kernel the autoscheduler cannot schedule keeps
// its hand schedule, and `hand` records why: Halide 14's Adams2019 fails
// an internal check on the cross-entropy kernels of one row
// ("FunctionDAG.cpp:544 ... Condition failed: i"; tests/e2e checks it) and
// leaves an unroll over a non-constant extent in an attention gradient
// kernel (seen when building tests/e2e/models/attention.cpp under it), so
// without this no Transformer could be built under it. The warning is
// loud (the build line, and a count on stderr at the end) because a
// broken autoscheduled path would otherwise pass for a working one.
struct HandScheduled {
  std::string why; // the first failure's first line; empty: none failed
  size_t targets = 0;
};

Module build_kernel(const std::string &generator, const std::string &function,
                    const Target &target, bool auto_schedule,
                    const MachineParams &params, HandScheduled &hand) {
  if (auto_schedule && !is_fallback(generator)) {
    try {
      return build_generator(generator, function, target, true, params);
    } catch (const std::exception &e) {
      if (hand.why.empty())
        hand.why = first_line(e.what());
      ++hand.targets;
    }
  }
  return build_generator(generator, function, target, false, params);
}

// The schedule a kernel was built with, for its progress line.
std::string schedule_used(const std::string &schedule,
                          const HandScheduled &hand, size_t targets) {
  if (hand.targets == 0)
    return schedule;
  return "warning: " + schedule + " could not schedule it (" + hand.why +
         "), so it keeps its hand schedule" +
         (targets > 1 ? " on " + std::to_string(hand.targets) + " of " +
                            std::to_string(targets) + " targets"
                      : "");
}

// A kernel's build failed: the error, and the autoscheduler's before it.
KernelError kernel_error(const std::string &kernel, const std::string &schedule,
                         const std::string &what, const HandScheduled &hand) {
  return KernelError(
      "kernel " + kernel + " (schedule " + schedule + ") failed:\n" + what +
      (hand.why.empty() ? ""
                        : "\n(with its hand schedule, after " + schedule +
                              " failed: " + hand.why + ")"));
}

// --inspect: the lowered loop nest and the assembly of a few kernels.
int inspect(const Options &o, const std::vector<std::string> &generators,
            const Target &target, bool auto_schedule,
            const MachineParams &params) {
  StagingDir staging(o.out_dir, "kiln_inspect");
  for (const std::string &g : o.inspect) {
    if (std::find(generators.begin(), generators.end(), g) ==
        generators.end()) {
      throw std::invalid_argument("--inspect: no kernel named '" + g +
                                  "' (--list prints them)");
    }
    HandScheduled hand;
    try {
      const Module module =
          build_kernel(g, g, target, auto_schedule, params, hand);
      module.compile({{OutputFileType::stmt, staging.file(g + ".stmt")},
                      {OutputFileType::assembly, staging.file(g + ".s")}});
    } catch (const std::exception &e) {
      throw kernel_error(g, o.schedule, e.what(), hand);
    }
    staging.publish(g + ".stmt");
    staging.publish(g + ".s");
    std::printf("[%s] wrote %s/%s.stmt and %s.s (%s)\n", kTool,
                o.out_dir.c_str(), g.c_str(), g.c_str(),
                schedule_used(o.schedule, hand, 1).c_str());
  }
  return 0;
}

int run(const Options &o) {
  const std::vector<std::string> generators =
      Internal::GeneratorRegistry::enumerate();
  if (o.list) {
    for (const std::string &g : generators) {
      std::printf("%s\n", g.c_str());
    }
    return 0;
  }
  if (generators.empty()) {
    throw std::invalid_argument("no Halide generators are linked into this "
                                "program (empty kernels.cpp?)");
  }

  const std::vector<Target> targets = resolve_targets(o.target);
  const Target &baseline = targets.back();
  const bool auto_schedule =
      kiln::halide::aot::select_schedule(o.schedule, o.plugin_dir);
  const MachineParams params =
      kiln::halide::aot::machine_params(o.machine_params);
  if (!o.inspect.empty()) {
    return inspect(o, generators, targets.front(), auto_schedule, params);
  }

  const std::string base = "kiln_" + o.name + "_kernels";
  const std::string lib_name = "lib" + base + ".a";
  const std::string header_name = base + ".h";
  StagingDir staging(o.out_dir, base);

  // Each kernel in its own process slot: its object files (one per target,
  // then the dispatcher) and the list of its arguments, from which this
  // process writes the one header.
  const bool dispatch = targets.size() > 1;
  const auto object_names = [&](const std::string &function) {
    std::vector<std::string> names;
    for (size_t v = 0; dispatch && v < targets.size(); ++v)
      names.push_back(kiln::halide::aot::variant_name(function, v));
    names.push_back(function);
    return names;
  };
  const auto start = std::chrono::steady_clock::now();
  const auto built = kiln::halide::aot::for_each_in_child_processes(
      generators.size(), o.jobs, staging.file(""), [&](size_t i) {
        const std::string &g = generators[i];
        const auto t0 = std::chrono::steady_clock::now();
        const std::string function = g + o.function_suffix;
        const std::vector<std::string> names = object_names(function);
        HandScheduled hand;
        try {
          std::vector<Internal::LoweredArgument> args;
          LinkageType linkage = LinkageType::ExternalPlusMetadata;
          for (size_t v = 0; v < targets.size(); ++v) {
            const Module module = build_kernel(g, names[v], targets[v],
                                               auto_schedule, params, hand);
            module.compile({{OutputFileType::object,
                             staging.file(names[v] + ".o").string()}});
            // Only the entry point: the module also holds the parallel-loop
            // closures, which are external symbols but no API.
            const Internal::LoweredFunc &entry =
                module.get_function_by_name(names[v]);
            args = entry.args;
            linkage = entry.linkage;
          }
          if (dispatch)
            kiln::halide::aot::dispatcher_module(function, args, targets)
                .compile({{OutputFileType::object,
                           staging.file(function + ".o").string()}});
          write_declaration(staging.file(function + ".decl"),
                            Internal::LoweredFunc(function, args, {}, linkage));
          if (hand.targets > 0) // counted by the parent process
            std::ofstream(staging.file(function + ".hand")) << hand.why;
        } catch (const std::exception &e) {
          throw kernel_error(g, o.schedule, e.what(), hand);
        }
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
                .count();
        std::printf(
            "[%s] %s: %s built in %.2f s (%s%s)\n", kTool, o.name.c_str(),
            function.c_str(), seconds,
            schedule_used(o.schedule, hand, targets.size()).c_str(),
            dispatch
                ? (", " + std::to_string(targets.size()) + " targets").c_str()
                : "");
        std::fflush(stdout);
      });
  if (built)
    throw KernelError(built->message);

  std::vector<std::string> objects;
  Module header(base, baseline); // declarations only
  size_t hand_scheduled = 0;
  for (const std::string &g : generators) {
    const std::string function = g + o.function_suffix;
    hand_scheduled += std::filesystem::exists(staging.file(function + ".hand"));
    for (const std::string &object : object_names(function))
      objects.push_back(staging.file(object + ".o").string());
    header.append(read_declaration(staging.file(function + ".decl"), function));
  }

  create_static_library(objects, baseline, staging.file(lib_name).string());
  const std::filesystem::path header_file = staging.file(header_name);
  header.compile({{OutputFileType::c_header, header_file.string()}});
  finish_header(header_file, base,
                kiln::halide::aot::variant_table(o.name, targets));
  // The header first: a library is only ever newer than its header.
  staging.publish(header_name);
  staging.publish(lib_name);
  const double total =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  std::string target_names;
  for (const Target &t : targets)
    target_names += (target_names.empty() ? "" : ", ") +
                    t.without_feature(Target::NoRuntime).to_string();
  if (hand_scheduled > 0)
    std::fprintf(stderr,
                 "%s: warning: %s: %zu of %zu kernels keep their hand "
                 "schedule: %s could not schedule them (their build lines "
                 "above say why)\n",
                 kTool, o.name.c_str(), hand_scheduled, generators.size(),
                 o.schedule.c_str());
  std::printf("[%s] %s: %zu kernels -> %s/%s in %.2f s (target%s %s)\n", kTool,
              o.name.c_str(), generators.size(), o.out_dir.c_str(),
              lib_name.c_str(), total, dispatch ? "s" : "",
              target_names.c_str());
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  try {
    return run(kiln::halide::aot::parse_options(argc, argv));
  } catch (const KernelError &e) {
    std::fprintf(stderr, "%s: error: %s\n", kTool, e.what());
  } catch (const Halide::Error &e) {
    std::fprintf(stderr, "%s: Halide error: %s\n", kTool, e.what());
  } catch (const std::exception &e) {
    std::fprintf(stderr, "%s: error: %s\n", kTool, e.what());
  }
  return 1;
}
