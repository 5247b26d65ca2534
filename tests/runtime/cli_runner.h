// Runs the kiln CLI in-process, as the tests of its commands do: the exit
// code and what it printed.
#pragma once

#include "cli.h"

#include <sstream>
#include <string>
#include <vector>

namespace kiln::test {

struct CliResult {
  int code;
  std::string out, err;
};

// `kiln ARGS...` with the models registered so far.
inline CliResult run_cli(std::vector<std::string> args) {
  args.insert(args.begin(), "kiln");
  std::vector<const char *> argv;
  for (const std::string &a : args)
    argv.push_back(a.c_str());
  std::ostringstream out, err;
  const int code =
      kiln::cli::run_cli(static_cast<int>(argv.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

inline bool contains(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

} // namespace kiln::test
