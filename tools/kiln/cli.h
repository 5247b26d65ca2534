// The kiln command line, as a library so tests can drive it in-process.
#pragma once

#include <ostream>

namespace kiln::cli {

// Exit codes: what a script calling kiln can rely on.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1; // the model or runtime failed
inline constexpr int kExitUsage = 2;   // bad command line: nothing was run
// kiln train stopped by Ctrl-C after saving a checkpoint (128 + SIGINT).
inline constexpr int kExitInterrupted = 130;

// Parses argv and runs the command against the registered models
// (kiln::rt::registered_models()). Never throws.
int run_cli(int argc, const char *const *argv, std::ostream &out,
            std::ostream &err);

} // namespace kiln::cli
