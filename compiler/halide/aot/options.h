// Command line of a kiln-halide-aot program (a generated kernels.cpp linked
// with kiln_halide_aot_main).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace kiln::halide::aot {

struct Options {
  std::string out_dir;
  std::string name;                   // library is libkiln_<name>_kernels.a
  std::string schedule = "heuristic"; // or an autoscheduler name
  std::string target = "host";
  std::string function_suffix; // appended to every kernel's symbol
  std::string plugin_dir;      // where libautoschedule_*.so live
  std::optional<std::string> machine_params; // "parallelism,cache,balance"
  bool list = false;                         // print the kernel names and exit
  int jobs = 0; // kernels built at once, in processes; 0: one per core
  // Kernels to lower to DIR/<kernel>.stmt and DIR/<kernel>.s instead of
  // building the library: for reading what a schedule produced.
  std::vector<std::string> inspect;
};

// Parses argv. On bad input throws std::invalid_argument with a message
// meant for the user; --help prints usage and exits 0.
Options parse_options(int argc, char **argv);

} // namespace kiln::halide::aot
