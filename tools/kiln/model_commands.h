// The command-line definitions of the commands that train and use trained
// models (train, eval, sample, reconstruct, encode, score,
// fid), kept apart from
// cli.cpp's parsing and error policy.
#pragma once

#include "commands.h"

#include <CLI/CLI.hpp>

#include <optional>
#include <ostream>

namespace kiln::cli {

// An integer lower bound with a readable message (CLI11 2.1's range
// validators print the full range of a double).
CLI::Validator at_least(long long lowest);
// A finite number >= bound (or_equal) or > bound.
CLI::Validator finite_number(double bound, bool or_equal);

// A seed: a decimal integer in [0, 2^64), strictly (CLI11 would read -1 as
// 2^64 - 1 and saturate what is too large).
CLI::Validator seed_value();

// Every option of `app` and its subcommands that takes a value refuses an
// empty one (`--entry ''` would silently mean the default), except those
// named in `may_be_empty`.
void refuse_empty_values(CLI::App &app,
                         std::initializer_list<std::string> may_be_empty);

struct ModelCommands {
  TrainOptions train;
  EvalOptions eval;
  SampleOptions sample;
  ReconstructOptions reconstruct;
  EncodeOptions encode;
  ScoreOptions score;
  FidOptions fid;
  GenerateOptions generate;
  CLI::App *generate_app = nullptr;
  CLI::App *train_app = nullptr, *eval_app = nullptr, *sample_app = nullptr,
           *reconstruct_app = nullptr, *encode_app = nullptr,
           *score_app = nullptr, *fid_app = nullptr;
};

void add_model_commands(CLI::App &app, ModelCommands &commands);

// Runs the one of these commands that was selected, if any.
std::optional<int> run_model_commands(const ModelCommands &commands,
                                      std::ostream &out, std::ostream &err);

} // namespace kiln::cli
