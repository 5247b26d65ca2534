#include "options.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

#ifndef KILN_HALIDE_PLUGIN_DIR
#define KILN_HALIDE_PLUGIN_DIR "/usr/lib/x86_64-linux-gnu/halide14"
#endif

namespace kiln::halide::aot {

namespace {

constexpr const char *kUsage =
    "usage: %s --out-dir DIR --name NAME [options]\n"
    "Builds every Halide generator linked into this program into\n"
    "DIR/libkiln_NAME_kernels.a and DIR/kiln_NAME_kernels.h.\n"
    "  --schedule S        heuristic (default) | adams2019 | mullapudi2016 "
    "| li2018\n"
    "  --target T          Halide target string, default host\n"
    "  --function-suffix X append X to every kernel's symbol name\n"
    "  --plugin-dir DIR    autoscheduler plugins (default %s,\n"
    "                      or $KILN_HALIDE_PLUGIN_DIR)\n"
    "  --machine-params P  parallelism,last_level_cache_bytes,balance for\n"
    "                      the autoschedulers (default: this machine)\n"
    "  --jobs N            build N kernels at once, in N processes\n"
    "                      (default: one per core)\n"
    "  --list              print the kernel names and exit\n"
    "  --inspect K[,K...]  only write DIR/K.stmt (Halide's lowered loop\n"
    "                      nest) and DIR/K.s (assembly) for these kernels\n";

} // namespace

Options parse_options(int argc, char **argv) {
  Options o;
  if (const char *env = std::getenv("KILN_HALIDE_PLUGIN_DIR")) {
    o.plugin_dir = env;
  } else {
    o.plugin_dir = KILN_HALIDE_PLUGIN_DIR;
  }
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        throw std::invalid_argument("missing value after " + std::string(arg));
      }
      return argv[++i];
    };
    if (arg == "--help" || arg == "-h") {
      std::printf(kUsage, argv[0], KILN_HALIDE_PLUGIN_DIR);
      std::exit(0);
    } else if (arg == "--out-dir") {
      o.out_dir = value();
    } else if (arg == "--name") {
      o.name = value();
    } else if (arg == "--schedule") {
      o.schedule = value();
    } else if (arg == "--target") {
      o.target = value();
    } else if (arg == "--function-suffix") {
      o.function_suffix = value();
    } else if (arg == "--plugin-dir") {
      o.plugin_dir = value();
    } else if (arg == "--machine-params") {
      o.machine_params = value();
    } else if (arg == "--inspect") {
      const std::string names = value();
      for (size_t begin = 0; begin <= names.size();) {
        size_t end = names.find(',', begin);
        if (end == std::string::npos) {
          end = names.size();
        }
        if (end == begin) {
          throw std::invalid_argument("--inspect: empty kernel name in '" +
                                      names + "'");
        }
        o.inspect.push_back(names.substr(begin, end - begin));
        begin = end + 1;
      }
    } else if (arg == "--jobs") {
      const std::string n = value();
      size_t used = 0;
      int jobs = 0;
      try {
        jobs = std::stoi(n, &used);
      } catch (const std::exception &) {
      }
      if (used != n.size() || jobs < 1)
        throw std::invalid_argument("--jobs needs a positive integer, got '" +
                                    n + "'");
      o.jobs = jobs;
    } else if (arg == "--list") {
      o.list = true;
    } else {
      throw std::invalid_argument("unknown argument '" + std::string(arg) +
                                  "' (see --help)");
    }
  }
  if (!o.list && o.out_dir.empty()) {
    throw std::invalid_argument("--out-dir is required (see --help)");
  }
  if (!o.list && o.inspect.empty() && o.name.empty()) {
    throw std::invalid_argument("--name is required (see --help)");
  }
  if (o.jobs == 0)
    o.jobs =
        static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return o;
}

} // namespace kiln::halide::aot
