// The subcommands of kiln. Each writes its report to `out` and returns an
// exit code; command-line mistakes throw UsageError, runtime failures
// throw kiln::rt::Error.
#pragma once

#include "cli.h"

#include "kiln/runtime/model.h"

#include <cstdint>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace kiln::cli {

// A mistake on the command line; the message lists the valid choices.
class UsageError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

// Throw UsageError naming the choices when there is no such model/entry.
const rt::ModelDesc &require_model(const std::string &name);
const rt::EntryDesc &require_entry(const rt::ModelDesc &model,
                                   const std::string &name);

int list_command(std::ostream &out);
int info_command(const std::string &model, std::ostream &out);

struct RunOptions {
  std::string model;
  std::string entry;
  int64_t batch = 4;             // every symbolic dimension...
  std::vector<std::string> dims; // ...unless overridden: "NAME=SIZE"
  uint64_t seed = 0;             // parameters and inputs
  int threads = 0;               // 0: Halide's default (one per core)
  int show = 6;                  // values printed per output
};
int run_command(const RunOptions &options, std::ostream &out);

} // namespace kiln::cli
