#include "options.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>

#ifndef KILN_HALIDE_PLUGIN_DIR
#define KILN_HALIDE_PLUGIN_DIR "/usr/lib/x86_64-linux-gnu/halide14"
#endif

namespace kiln::halide::aot {

Options parse_options(int argc, char **argv) {
  Options o;
  if (const char *env = std::getenv("KILN_HALIDE_PLUGIN_DIR")) {
    o.plugin_dir = env;
  } else {
    o.plugin_dir = KILN_HALIDE_PLUGIN_DIR;
  }
  std::string inspect;
  CLI::App app("Builds every Halide generator linked into this program into "
               "DIR/libkiln_NAME_kernels.a and DIR/kiln_NAME_kernels.h.",
               argc > 0 ? argv[0] : "kiln-halide-aot");
  app.add_option("--out-dir", o.out_dir, "Where the library and header go")
      ->option_text("DIR");
  app.add_option("--name", o.name, "The library is libkiln_NAME_kernels.a")
      ->option_text("NAME");
  app.add_option("--schedule", o.schedule,
                 "heuristic (default) | adams2019 | mullapudi2016 | li2018")
      ->option_text("S");
  app.add_option("--target", o.target,
                 "Halide target, or several comma-separated (most specific "
                 "first; one variant each), default host")
      ->option_text("T");
  app.add_option("--function-suffix", o.function_suffix,
                 "Append X to every kernel's symbol name")
      ->option_text("X");
  app.add_option("--plugin-dir", o.plugin_dir,
                 std::string("Autoscheduler plugins (default ") +
                     KILN_HALIDE_PLUGIN_DIR + ", or $KILN_HALIDE_PLUGIN_DIR)")
      ->option_text("DIR");
  app.add_option("--machine-params", o.machine_params,
                 "parallelism,last_level_cache_bytes,balance for the "
                 "autoschedulers (default: this machine)")
      ->option_text("P");
  app.add_option("--jobs", o.jobs,
                 "Build N kernels at once, in N processes (default: one per "
                 "core)")
      ->option_text("N");
  app.add_flag("--list", o.list, "Print the kernel names and exit");
  app.add_option(
         "--inspect", inspect,
         "Only write DIR/K.stmt (Halide's lowered loop nest) and "
         "DIR/K.s (assembly) for these kernels (for the first target of a "
         "list)")
      ->option_text("K[,K...]");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp &) {
    std::printf("%s", app.help().c_str());
    std::exit(0);
  } catch (const CLI::ParseError &e) {
    throw std::invalid_argument(std::string(e.what()) + " (see --help)");
  }

  if (app.count("--jobs") && o.jobs < 1) {
    throw std::invalid_argument("--jobs needs a positive integer, got '" +
                                std::to_string(o.jobs) + "'");
  }
  if (o.jobs == 0) {
    o.jobs =
        static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  }
  if (app.count("--inspect")) {
    for (size_t begin = 0; begin <= inspect.size();) {
      size_t end = inspect.find(',', begin);
      if (end == std::string::npos) {
        end = inspect.size();
      }
      if (end == begin) {
        throw std::invalid_argument("--inspect: empty kernel name in '" +
                                    inspect + "'");
      }
      o.inspect.push_back(inspect.substr(begin, end - begin));
      begin = end + 1;
    }
  }
  if (!o.list && o.out_dir.empty()) {
    throw std::invalid_argument("--out-dir is required (see --help)");
  }
  if (!o.list && o.inspect.empty() && o.name.empty()) {
    throw std::invalid_argument("--name is required (see --help)");
  }
  return o;
}

} // namespace kiln::halide::aot
