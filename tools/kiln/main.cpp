// The kiln executable: register the models linked in, then run the CLI.
#include "cli.h"

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
  return kiln::cli::run_cli(argc, argv, std::cout, std::cerr);
}
