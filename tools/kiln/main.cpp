// The kiln executable: register the models linked in, then run the CLI.
#include "cli.h"

#include <cerrno>
#include <cstring>
#include <iostream>

// Defined in the model registry that KilnCli.cmake generates per executable.
void kiln_register_linked_models();

int main(int argc, char **argv) {
  try {
    kiln_register_linked_models();
  } catch (const std::exception &e) { // e.g. two models with one name
    std::cerr << "kiln: error: " << e.what() << "\n";
    return kiln::cli::kExitFailure;
  }
  int code = kiln::cli::run_cli(argc, argv, std::cout, std::cerr);
  // A report that did not reach its reader (kiln eval > /dev/full, a
  // closed pipe) is a failure, whatever the command did.
  std::cout.flush();
  if (!std::cout) {
    std::cerr << "kiln: error: cannot write to standard output: "
              << std::strerror(errno) << "\n";
    if (code == kiln::cli::kExitOk)
      code = kiln::cli::kExitFailure;
  }
  return code;
}
